namespace InsightFace.PowerShell;

/// <summary>
/// The stable FullyQualifiedErrorId prefixes of the module's errors. Scripts and tests match on these, so they
/// never change once released.
/// </summary>
public static class ErrorIds
{
    /// <summary>A device was requested that this machine or build cannot use.</summary>
    public const string DeviceUnavailable = "DeviceUnavailable";

    /// <summary>A device string is not cpu, cuda or cuda:N.</summary>
    public const string DeviceInvalid = "DeviceInvalid";

    /// <summary>A verification target's accuracy fell short of -MinimumAccuracy.</summary>
    public const string VerificationBelowMinimum = "VerificationBelowMinimum";
}

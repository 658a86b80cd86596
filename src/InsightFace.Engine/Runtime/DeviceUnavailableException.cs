namespace InsightFace.Engine.Runtime;

/// <summary>A device that the configuration asked for cannot be used on this machine.</summary>
public sealed class DeviceUnavailableException : Exception
{
    /// <summary>Creates the exception for <paramref name="device"/>.</summary>
    public DeviceUnavailableException(string device, string message, Exception? inner = null)
        : base(message, inner) => Device = device;

    /// <summary>The device string that was asked for, for example <c>cuda:1</c>.</summary>
    public string Device { get; }
}

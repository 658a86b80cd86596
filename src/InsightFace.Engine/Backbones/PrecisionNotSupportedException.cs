namespace InsightFace.Engine.Backbones;

/// <summary>The config asked for a precision mode that this engine cannot run on the chosen device.</summary>
public sealed class PrecisionNotSupportedException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="device"/>.</summary>
    public PrecisionNotSupportedException(string device, string message) : base(ErrorIds.Fp16NotSupported, message) =>
        Device = device;

    /// <summary>The device the network was to be built on, for example <c>cpu</c>.</summary>
    public string Device { get; }
}

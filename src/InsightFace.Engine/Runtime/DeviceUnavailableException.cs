namespace InsightFace.Engine.Runtime;

/// <summary>A device that the configuration asked for cannot be used on this machine, or is not a device at all.</summary>
public sealed class DeviceUnavailableException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="device"/>, with id <see cref="ErrorIds.DeviceUnavailable"/>.</summary>
    public DeviceUnavailableException(string device, string message, Exception? inner = null)
        : this(ErrorIds.DeviceUnavailable, device, message, inner)
    {
    }

    /// <summary>Creates the exception for <paramref name="device"/> with another id (<see cref="ErrorIds.DeviceInvalid"/>).</summary>
    public DeviceUnavailableException(string errorId, string device, string message, Exception? inner = null)
        : base(errorId, message, inner) => Device = device;

    /// <summary>The device string that was asked for, for example <c>cuda:1</c>.</summary>
    public string Device { get; }
}

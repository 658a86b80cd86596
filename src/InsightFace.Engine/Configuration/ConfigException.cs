namespace InsightFace.Engine.Configuration;

/// <summary>A training configuration is invalid: an unknown key, a wrong type or an impossible value.</summary>
public sealed class ConfigException : InsightFaceException
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string errorId, string message, string? key = null, Exception? inner = null)
        : base(errorId, message, inner) => Key = key;

    /// <summary>The offending key, when there is one.</summary>
    public string? Key { get; }
}

namespace InsightFace.Engine.Configuration;

/// <summary>A training configuration is invalid: an unknown key, a wrong type or an impossible value.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException(string errorId, string message, string? key = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Key = key;
    }

    /// <summary>Stable error id: ConfigKeyUnknown, ConfigValueInvalid, ConfigFileInvalid or ConfigBaseCycle.</summary>
    public string ErrorId { get; }

    /// <summary>The offending key, when there is one.</summary>
    public string? Key { get; }
}

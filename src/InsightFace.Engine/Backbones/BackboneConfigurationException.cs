namespace InsightFace.Engine.Backbones;

/// <summary>A backbone was asked for by a name or with options that the registry cannot build.</summary>
public sealed class BackboneConfigurationException : InsightFaceException
{
    /// <summary>Creates the exception with a stable <paramref name="errorId"/> and the config key at fault.</summary>
    public BackboneConfigurationException(string errorId, string key, string message) : base(errorId, message) => Key = key;

    /// <summary>The config key at fault, for example <c>network</c> or <c>dropout</c>.</summary>
    public string Key { get; }
}

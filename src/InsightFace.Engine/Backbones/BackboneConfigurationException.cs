namespace InsightFace.Engine.Backbones;

/// <summary>A backbone was asked for by a name or with options that the registry cannot build.</summary>
public sealed class BackboneConfigurationException : ArgumentException
{
    /// <summary>Creates the exception with a stable <paramref name="errorId"/> and the config key at fault.</summary>
    public BackboneConfigurationException(string errorId, string key, string message) : base(message, key) =>
        ErrorId = errorId;

    /// <summary>
    /// Stable identifier for the cmdlet layer: <c>UnknownBackbone</c>, <c>InvalidEmbeddingSize</c>,
    /// <c>InvalidDropout</c> or <c>DropoutNotSupported</c>.
    /// </summary>
    public string ErrorId { get; }
}

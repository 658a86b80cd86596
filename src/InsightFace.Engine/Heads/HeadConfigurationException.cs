namespace InsightFace.Engine.Heads;

/// <summary>A margin loss or Partial FC was configured with values it cannot work with.</summary>
public sealed class HeadConfigurationException : ArgumentException
{
    /// <summary>Creates the exception with a stable <paramref name="errorId"/> and the config key at fault.</summary>
    public HeadConfigurationException(string errorId, string key, string message) : base(message, key) =>
        ErrorId = errorId;

    /// <summary>
    /// Stable identifier for the cmdlet layer: <c>InvalidMargin</c>, <c>InvalidSampleRate</c>,
    /// <c>InvalidNumClasses</c> or <c>InvalidEmbeddingSize</c>.
    /// </summary>
    public string ErrorId { get; }
}

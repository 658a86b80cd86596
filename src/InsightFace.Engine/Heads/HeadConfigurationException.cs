namespace InsightFace.Engine.Heads;

/// <summary>A margin loss or Partial FC was configured with values it cannot work with.</summary>
public sealed class HeadConfigurationException : InsightFaceException
{
    /// <summary>Creates the exception with a stable <paramref name="errorId"/> and the config key at fault.</summary>
    public HeadConfigurationException(string errorId, string key, string message) : base(errorId, message) => Key = key;

    /// <summary>The config key at fault, for example <c>sample_rate</c>.</summary>
    public string Key { get; }
}

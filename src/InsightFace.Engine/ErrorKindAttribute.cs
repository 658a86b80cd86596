namespace InsightFace.Engine;

/// <summary>Gives an <see cref="ErrorIds"/> constant its <see cref="ErrorKind"/>, on the same line as the id.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ErrorKindAttribute(ErrorKind kind) : Attribute
{
    /// <summary>The kind of failure the id stands for.</summary>
    public ErrorKind Kind { get; } = kind;
}

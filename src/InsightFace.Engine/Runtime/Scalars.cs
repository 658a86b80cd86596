using TorchSharp;

namespace InsightFace.Engine.Runtime;

/// <summary>
/// Scalars the engine passes to libtorch again and again, held for the life of the process so that none is ever
/// left to the finalizer (see BannedSymbols.txt for why that matters).
/// </summary>
internal static class Scalars
{
    /// <summary>The integer 0.</summary>
    public static readonly Scalar Zero = 0L.ToScalar();

    /// <summary>The integer 1: the alpha of a plain addition.</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>The integer −1.</summary>
    public static readonly Scalar MinusOne = (-1L).ToScalar();

    /// <summary>The boolean true.</summary>
    public static readonly Scalar True = true.ToScalar();
}

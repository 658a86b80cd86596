using TorchSharp;
using static TorchSharp.torch;

namespace InsightFace.Engine.Backbones;

/// <summary>
/// Where and in which precision layers are created. Passed to every layer constructor so that a network can be
/// built directly on the <c>meta</c> device (shapes only, no memory) to count parameters cheaply.
/// </summary>
/// <param name="Device">The device for every parameter and buffer; null means the CPU.</param>
/// <param name="DType">The floating-point type for parameters; null means float32.</param>
public sealed record LayerPlacement(Device? Device = null, ScalarType? DType = null)
{
    /// <summary>float32 on the CPU.</summary>
    public static LayerPlacement Cpu { get; } = new();
}

using static TorchSharp.torch;

namespace InsightFace.Engine.Optim;

/// <summary>An optimizer whose per-parameter state tensors can be reached, so that they can follow their parameters' memory layout.</summary>
public interface IStatefulOptimizer
{
    /// <summary>Every state tensor the optimizer holds (momentum buffers, moments).</summary>
    IEnumerable<Tensor> StateTensors();
}

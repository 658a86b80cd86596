using InsightFace.Engine.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>Runs an exported model in ONNX Runtime and the module it came from in TorchSharp on the same inputs, and compares.</summary>
public static class OnnxVerifier
{
    /// <summary>The batch sizes -Verify checks: 1, and 7 for the batch &gt; 1 exports that have broken before.</summary>
    public static readonly IReadOnlyList<long> DefaultBatches = [1, 7];

    /// <summary>
    /// Compares <paramref name="model"/> (a serialized ONNX model with one input and one output) with
    /// <paramref name="reference"/> (the module's forward, already in eval mode) on every input in <paramref name="inputs"/>.
    /// The reference runs without gradients, inside a dispose scope per input.
    /// </summary>
    public static OnnxVerification Compare(byte[] model, Func<torch.Tensor, torch.Tensor> reference, IEnumerable<torch.Tensor> inputs)
    {
        using var session = new InferenceSession(model);
        var inputName = session.InputMetadata.Keys.Single();
        double maxAbsDiff = 0, scale = 0;
        var batches = new List<long>();
        foreach (var input in inputs)
        {
            float[] expected, actual;
            using (torch.NewDisposeScope())
            {
                using (torch.no_grad())
                    expected = reference(input).detach().cpu().to_type(torch.float32).contiguous().data<float>().ToArray();
                var cpu = input.detach().cpu().to_type(torch.float32).contiguous();
                var tensor = new DenseTensor<float>(cpu.data<float>().ToArray(), cpu.shape.Select(d => (int)d).ToArray());
                using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
                actual = results.Single().AsEnumerable<float>().ToArray();
            }

            if (actual.Length != expected.Length)
                throw new InvalidOperationException($"ONNX Runtime returned {actual.Length} values for batch {input.shape[0]}; TorchSharp returned {expected.Length}.");
            for (var i = 0; i < expected.Length; i++)
            {
                maxAbsDiff = Math.Max(maxAbsDiff, Math.Abs(expected[i] - (double)actual[i]));
                scale = Math.Max(scale, Math.Abs(expected[i]));
            }
            batches.Add(input.shape[0]);
        }
        return new OnnxVerification(maxAbsDiff, scale, batches);
    }

    /// <summary>
    /// Inputs uniform in [-1, 1) (the range of (x − 127.5)/127.5 images) of shape [batch, ..<paramref name="sampleShape"/>],
    /// one per batch size, from a seeded generator so a failing check can be repeated.
    /// </summary>
    public static IReadOnlyList<torch.Tensor> RandomInputs(long[] sampleShape, IEnumerable<long> batches, ulong seed = 0)
    {
        var generator = new torch.Generator(seed);
        return batches.Select(b =>
        {
            using var scope = torch.NewDisposeScope();
            using var two = 2.ToScalar();
            return torch.rand([b, .. sampleShape], generator: generator).mul_(two).sub_(Scalars.One).MoveToOuterDisposeScope();
        }).ToList();
    }
}

using InsightFace.Engine.Backbones;
using TorchSharp;
using TorchSharp.Modules;

namespace InsightFace.Engine.Export.Onnx;

/// <summary>
/// Writes our backbones (<see cref="IResNet"/>: r18…r200; <see cref="MobileFaceNet"/>: mbf, mbf_large) as ONNX
/// graphs by walking their modules, not by tracing a forward pass: each module kind is written as the nodes that
/// compute what its forward computes, named by its state_dict path. Dropout is the identity at inference and is
/// left out. Nothing in the graph depends on the batch size, so any batch runs.
/// </summary>
public static class BackboneOnnxWriter
{
    /// <summary>
    /// The ONNX graph of <paramref name="backbone"/> (read in its current state; eval-mode semantics are written).
    /// With <paramref name="foldBatchNorm"/>, every BatchNorm that directly follows a conv is folded into it.
    /// </summary>
    /// <exception cref="NotSupportedException">The backbone contains a module kind this writer does not know.</exception>
    public static OnnxGraphBuilder Write(Backbone backbone, string network, int opset = OnnxGraphBuilder.DefaultOpset, bool foldBatchNorm = false)
    {
        var (graph, input) = FaceOnnxGraph.Begin(network, (int)backbone.EmbeddingSize, opset);
        var walker = new Walker(graph, foldBatchNorm);
        var output = backbone switch
        {
            IResNet resnet => walker.IResNet(resnet, input),
            MobileFaceNet mobile => walker.Chain("", Children(mobile), input),
            _ => throw new NotSupportedException($"Backbone {backbone.GetType().Name} cannot be exported to ONNX."),
        };
        FaceOnnxGraph.End(graph, output, (int)backbone.EmbeddingSize);
        return graph;
    }

    private static List<(string Name, torch.nn.Module Module)> Children(torch.nn.Module module) =>
        module.named_children().Select(c => (c.name, (torch.nn.Module)c.module)).ToList();

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    private sealed class Walker(OnnxGraphBuilder graph, bool foldBatchNorm)
    {
        // conv1 → bn1 → prelu → layer1…4 → bn2 → flatten → (dropout) → fc → features, as IResNet.forward.
        public string IResNet(IResNet resnet, string input)
        {
            var children = Children(resnet);
            var flattenAt = children.FindIndex(c => c.Name == "bn2") + 1;
            var maps = Chain("", children[..flattenAt], input);
            return Chain("", children[flattenAt..], OnnxLayers.Flatten(graph, "flatten", maps));
        }

        /// <summary>Runs <paramref name="children"/> in order, folding a BatchNorm into the conv before it when asked.</summary>
        public string Chain(string prefix, IReadOnlyList<(string Name, torch.nn.Module Module)> children, string input)
        {
            var x = input;
            for (var i = 0; i < children.Count; i++)
            {
                var (name, module) = children[i];
                var path = Join(prefix, name);
                if (module is Conv2d conv)
                {
                    var folded = foldBatchNorm && i + 1 < children.Count && children[i + 1].Module is BatchNorm bn ? bn : null;
                    x = OnnxLayers.Conv(graph, path, x, conv, folded);
                    if (folded is not null) i++;
                    continue;
                }
                x = Module(path, module, x);
            }
            return x;
        }

        private string Module(string path, torch.nn.Module module, string x) => module switch
        {
            BatchNorm batchNorm => OnnxLayers.BatchNorm(graph, path, x, batchNorm),
            PReLU prelu => OnnxLayers.PRelu(graph, path, x, prelu),
            Linear linear => OnnxLayers.Gemm(graph, path, x, linear),
            Flatten => OnnxLayers.Flatten(graph, path, x),
            Dropout => x,
            IBasicBlock block => BasicBlock(path, block, x),
            Residual residual => ResidualStack(path, residual, x),
            // ConvBlock, LinearBlock, Gdc, a stand-alone DepthWise, Sequential and ModuleList run their children in order.
            ConvBlock or LinearBlock or Gdc or DepthWise or Sequential or ModuleList<torch.nn.Module<torch.Tensor, torch.Tensor>>
                => Chain(path, Children(module), x),
            _ => throw new NotSupportedException($"Module '{path}' ({module.GetType().Name}) cannot be exported to ONNX."),
        };

        // bn1 → conv1 → bn2 → prelu → conv2 → bn3, plus x or downsample(x), as IBasicBlock.forward.
        private string BasicBlock(string path, IBasicBlock block, string x)
        {
            var children = Children(block);
            var body = Chain(path, children.Where(c => c.Name != "downsample").ToList(), x);
            var shortcut = children.FirstOrDefault(c => c.Name == "downsample") is { Module: { } downsample }
                ? Chain(Join(path, "downsample"), Children(downsample), x)
                : x;
            return OnnxLayers.Add(graph, $"{path}.add", body, shortcut);
        }

        // Every DepthWise inside a Residual is built with its residual add (Residual's constructor).
        private string ResidualStack(string path, Residual residual, string x)
        {
            var (name, blocks) = Children(residual).Single();
            foreach (var (index, block) in Children(blocks))
            {
                var blockPath = Join(Join(path, name), index);
                x = OnnxLayers.Add(graph, $"{blockPath}.add", Chain(blockPath, Children(block), x), x);
            }
            return x;
        }
    }
}

using InsightFace.Engine.Backbones;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace InsightFace.Engine.Tests.Backbones;

/// <summary>Builds networks on the meta device: real module trees and shapes, no memory, no initialisation cost.</summary>
internal static class MetaBuild
{
    public static Backbone Create(string name, long embeddingSize = 512) =>
        BackboneRegistry.Create(name, new BackboneOptions { EmbeddingSize = embeddingSize, Device = torch.META });

    /// <summary>
    /// Multiply-accumulates of one 112×112 image, read off a network built on the CPU by running it once and
    /// hooking every Conv2d and Linear: output elements × weights per output element. (libtorch has no meta
    /// kernel for convolutions, so this one needs real tensors.)
    /// </summary>
    public static long CountMacs(Backbone network)
    {
        long macs = 0;
        var removers = new List<Action>();
        foreach (var module in network.modules())
        {
            if (module is Conv2d conv)
            {
                var perOutput = conv.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                var hook = conv.register_forward_hook((_, _, output) => { macs += output.numel() * perOutput; return output; });
                removers.Add(hook.remove);
            }
            else if (module is Linear linear)
            {
                var perOutput = linear.weight!.shape[1];
                var hook = linear.register_forward_hook((_, _, output) => { macs += output.numel() * perOutput; return output; });
                removers.Add(hook.remove);
            }
        }
        network.eval();
        using (no_grad())
        using (var image = zeros(1, 3, 112, 112))
            network.call(image).Dispose();
        removers.ForEach(r => r());
        return macs;
    }
}

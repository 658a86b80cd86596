using InsightFace.Engine.Backbones;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Tests.Data;
using TorchSharp;

namespace InsightFace.Engine.Tests.Checkpoints;

public class CheckpointModelTests
{
    [Fact]
    public void A_saved_backbone_loads_back_with_identical_outputs()
    {
        torch.manual_seed(7);
        using var original = BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = 64 });
        original.eval();
        using var temp = new TempFolder();
        var folder = temp["ckpt"];
        var manifest = new CheckpointManifest { Network = "mbf", EmbeddingSize = 64, Reason = "import" };
        var info = CheckpointStore.SaveStandalone(folder, manifest, f => CheckpointModel.SaveBackbone(f, original), overwrite: false);

        using var loaded = CheckpointModel.LoadBackbone(info);
        using var input = torch.randn(2, 3, 112, 112);
        using var expected = original.forward(input);
        using var actual = loaded.forward(input);
        Assert.Equal(0.0, (expected - actual).abs().max().item<float>());
        Assert.False(loaded.training);
    }

    [Fact]
    public void A_network_the_registry_lacks_or_weights_that_do_not_fit_are_incompatible()
    {
        using var mbf = BackboneRegistry.Create("mbf", new BackboneOptions { EmbeddingSize = 64 });
        using var temp = new TempFolder();
        var root = temp.Path;

        var vit = CheckpointStore.SaveStandalone(Path.Combine(root, "vit"), new CheckpointManifest { Network = "vit_t", EmbeddingSize = 64 },
            f => CheckpointModel.SaveBackbone(f, mbf), overwrite: false);
        var unknown = Assert.Throws<CheckpointException>(() => CheckpointModel.LoadBackbone(vit));
        Assert.Equal("CheckpointIncompatible", unknown.ErrorId);
        Assert.Contains("vit_t", unknown.Message);

        var wrong = CheckpointStore.SaveStandalone(Path.Combine(root, "wrong"), new CheckpointManifest { Network = "mbf", EmbeddingSize = 128 },
            f => CheckpointModel.SaveBackbone(f, mbf), overwrite: false);
        var mismatch = Assert.Throws<CheckpointException>(() => CheckpointModel.LoadBackbone(wrong));
        Assert.Equal("CheckpointIncompatible", mismatch.ErrorId);
        Assert.Contains("shape", mismatch.Message);
    }
}

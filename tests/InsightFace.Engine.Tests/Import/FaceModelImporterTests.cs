using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Export.Onnx;
using InsightFace.Engine.Import;
using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Import.PyTorch;
using InsightFace.Engine.Tests.Export.Onnx;
using InsightFace.Engine.Tests.Import.Mxnet;
using InsightFace.Engine.Tests.Support;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import;

/// <summary>
/// Import-FaceModel's engine call end to end: files in (real torch.save output, MXNet params written to
/// InsightFace's names), checkpoints out, and an export of the result.
/// </summary>
[Collection("Sequential")]
public class FaceModelImporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// ours → .pth (our writer) → torch.load + torch.save (the real writer) → import → model.pt → torch.load:
    /// every tensor arrives unchanged, and the imported checkpoint exports to ONNX that reproduces it.
    /// </summary>
    [PythonModuleFact("torch")]
    public void A_real_torch_save_file_round_trips_and_exports()
    {
        var ours = WriteMbf(128, seed: 11);
        var real = Path.Combine(_dir, "backbone.pth");
        Python("import torch, sys; torch.save(torch.load(sys.argv[1]), sys.argv[2])", ours, real);

        var imported = FaceModelImporter.Import(real, Path.Combine(_dir, "imported"), "mbf", embeddingSize: null, strict: true, overwrite: false);

        Assert.Equal(ModelFileKind.PyTorch, imported.Kind);
        Assert.True(imported.Report.IsComplete);
        Assert.Equal(128, imported.Checkpoint.Manifest.EmbeddingSize); // read from the last BatchNorm
        Assert.Equal("import", imported.Checkpoint.Manifest.Reason);
        Python("""
            import torch, sys
            a, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
            assert list(a) == list(b), "keys differ"
            for k in a: assert a[k].dtype == b[k].dtype and torch.equal(a[k], b[k]), k
            """, real, imported.Checkpoint.ModelPath);

        var export = FaceOnnxExporter.Export(imported.Checkpoint, Path.Combine(_dir, "imported.onnx"), 11, foldBatchNorm: true, verify: true, overwrite: false);
        Assert.NotNull(export.Verification);
        Assert.True(File.Exists(export.ModelPath));
    }

    [PythonModuleFact("torch")]
    public void An_arcface_torch_training_checkpoint_is_read_from_its_backbone_entry()
    {
        var ours = WriteMbf(64, seed: 13);
        var nested = Path.Combine(_dir, "checkpoint_gpu_0.pt");
        Python("import torch, sys; torch.save({'epoch': 3, 'global_step': 10, 'state_dict_backbone': torch.load(sys.argv[1])}, sys.argv[2])", ours, nested);

        var e = Assert.Throws<PthFormatException>(() => FaceModelImporter.Import(nested, Path.Combine(_dir, "a"), "mbf", null, true, false));
        Assert.Equal("PthNotAStateDict", e.ErrorId);
        var imported = FaceModelImporter.Import(nested, Path.Combine(_dir, "b"), "mbf", null, true, false, entry: "state_dict_backbone");
        Assert.True(imported.Report.IsComplete);
        Assert.Equal(64, imported.Checkpoint.Manifest.EmbeddingSize);
    }

    [PythonModuleFact("torch")]
    public void Missing_extra_and_misshaped_keys_are_listed_and_nothing_is_written()
    {
        var ours = WriteMbf(64, seed: 12);
        var edited = Path.Combine(_dir, "edited.pth");
        Python("""
            import torch, sys
            s = torch.load(sys.argv[1])
            del s["conv_sep.layers.2.weight"]
            s["head.kernel"] = torch.zeros(3)
            s["layers.0.layers.2.weight"] = torch.zeros(5)
            torch.save(s, sys.argv[2])
            """, ours, edited);
        var output = Path.Combine(_dir, "strict");

        var e = Assert.Throws<StateDictMismatchException>(() => FaceModelImporter.Import(edited, output, "mbf", null, strict: true, overwrite: false));

        Assert.Equal("StateDictMismatch", e.ErrorId);
        Assert.Contains("missing in the file: conv_sep.layers.2.weight", e.Message);
        Assert.Contains("not in the model: head.kernel", e.Message);
        Assert.Contains("shape differs: layers.0.layers.2.weight: file [5], model [128]", e.Message);
        Assert.False(Directory.Exists(output));
        Assert.Equal(["edited.pth", "ours.pth"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());

        var lenient = FaceModelImporter.Import(edited, output, "mbf", null, strict: false, overwrite: false);
        Assert.Equal(["conv_sep.layers.2.weight"], lenient.Report.Missing);
        Assert.Equal(["head.kernel"], lenient.Report.Unexpected);
        Assert.Single(lenient.Report.ShapeMismatches);
        Assert.True(File.Exists(lenient.Checkpoint.ModelPath));
    }

    [Fact]
    public void A_state_dict_needs_a_network_and_an_existing_output_is_kept()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "init"), "mbf", 32, seed: 1, overwrite: false);

        var e = Assert.Throws<ModelImportException>(() => FaceModelImporter.Import(checkpoint.ModelPath, Path.Combine(_dir, "out"), null, null, true, false));
        Assert.Equal("NetworkRequired", e.ErrorId);
        Assert.Contains("-Network", e.Message);

        var existing = Directory.CreateDirectory(Path.Combine(_dir, "existing")).FullName;
        File.WriteAllText(Path.Combine(existing, "keep.txt"), "keep me");
        var exists = Assert.Throws<CheckpointException>(() => FaceModelImporter.Import(checkpoint.ModelPath, existing, "mbf", null, true, false));
        Assert.Equal("CheckpointExists", exists.ErrorId);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(existing, "keep.txt")));

        var replaced = FaceModelImporter.Import(checkpoint.ModelPath, existing, "mbf", null, true, overwrite: true);
        Assert.False(File.Exists(Path.Combine(existing, "keep.txt")));
        Assert.Equal(32, replaced.Checkpoint.Manifest.EmbeddingSize);
    }

    [Fact]
    public void An_mxnet_fresnet_imports_as_r18_and_exports_what_it_computes()
    {
        var paramsPath = WriteMxnet("r18", new FresnetModel([2, 2, 2, 2], 64));

        var imported = FaceModelImporter.Import(paramsPath, Path.Combine(_dir, "r18"), null, null, strict: true, overwrite: false);

        Assert.Equal(ModelFileKind.MxnetParams, imported.Kind);
        Assert.Equal("r18", imported.Checkpoint.Manifest.Network);
        Assert.Equal(64, imported.Checkpoint.Manifest.EmbeddingSize);
        Assert.Contains(imported.Notes, n => n.Contains("eps", StringComparison.Ordinal));
        using (var weights = PthReader.Read(imported.Checkpoint.ModelPath))
        {
            // The stem conv carries the graph's input scaling (x 0.0078125 → our /127.5) folded in; the rest is as stored.
            var model = new FresnetModel([2, 2, 2, 2], 64);
            Assert.Equal(model.Values("arg:stage1_unit1_conv1_weight"), weights["layer1.0.conv1.weight"].data<float>().ToArray());
        }
        var export = FaceOnnxExporter.Export(imported.Checkpoint, Path.Combine(_dir, "r18.onnx"), 11, foldBatchNorm: true, verify: true, overwrite: false);
        Assert.InRange(export.Verification!.RelativeDiff, 0, OnnxVerification.DefaultTolerance);
    }

    [Fact]
    public void An_mxnet_fmobilefacenet_imports_as_the_scale_1_MobileFaceNet_and_exports()
    {
        var paramsPath = WriteMxnet("y1", new FMobileFaceNetModel(128));

        var imported = FaceModelImporter.Import(paramsPath, Path.Combine(_dir, "y1"), null, null, strict: true, overwrite: false);

        Assert.Equal("fmobilefacenet", imported.Checkpoint.Manifest.Network);
        Assert.Equal(128, imported.Checkpoint.Manifest.EmbeddingSize);
        var export = FaceOnnxExporter.Export(imported.Checkpoint, Path.Combine(_dir, "y1.onnx"), 11, foldBatchNorm: true, verify: true, overwrite: false);
        Assert.InRange(export.Verification!.RelativeDiff, 0, OnnxVerification.DefaultTolerance);
    }

    [FixtureFact("mxnet-params-v2")]
    public void The_real_mxnet_file_is_listed_without_mapping()
    {
        var arrays = ModelArrayInfo.List(Fixtures.Path("mxnet-params-v2", "model-0000.params"));

        Assert.Equal(146, arrays.Count);
        Assert.All(arrays, a => Assert.Equal("float32", a.DType));
        Assert.All(arrays, a => Assert.True(a.Name.StartsWith("arg:", StringComparison.Ordinal) || a.Name.StartsWith("aux:", StringComparison.Ordinal), a.Name));
        // Every float32 element is 4 bytes of the 1,100,856-byte file; the rest is headers and names.
        Assert.InRange(arrays.Sum(a => a.Elements) * 4, 1_000_000, 1_100_856);
    }

    [Fact]
    public void A_state_dict_is_listed_by_key_shape_and_dtype()
    {
        var checkpoint = CheckpointModel.CreateInitial(Path.Combine(_dir, "list"), "mbf", 32, seed: 1, overwrite: false);

        var arrays = ModelArrayInfo.List(checkpoint.ModelPath);

        Assert.Equal("layers.0.layers.0.weight", arrays[0].Name);
        Assert.Equal([128L, 3, 3, 3], arrays[0].Shape);
        Assert.Equal("float32", arrays[0].DType);
        var counter = arrays.First(a => a.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal));
        Assert.Equal(("int64", 0), (counter.DType, counter.Shape.Length));
        Assert.Equal("features.layers.3.num_batches_tracked", arrays[^1].Name);
    }

    /// <summary>A randomised mbf's state dict written by our PthWriter as ours.pth.</summary>
    private string WriteMbf(int embeddingSize, int seed)
    {
        var path = Path.Combine(_dir, "ours.pth");
        using var backbone = BackboneOnnxWriterTests.Randomised("mbf", embeddingSize, seed);
        using var state = StateDict.From(backbone);
        PthWriter.Write(path, state, overwrite: false);
        return path;
    }

    private string WriteMxnet(string prefix, MxnetModelBuilder model)
    {
        var paramsPath = Path.Combine(_dir, $"{prefix}-0000.params");
        File.WriteAllBytes(paramsPath, NDArrayListWriter.Write(model.Arrays));
        File.WriteAllText(Path.Combine(_dir, $"{prefix}-symbol.json"), model.SymbolJson());
        return paramsPath;
    }

    private static void Python(string script, params string[] arguments)
    {
        var (exitCode, output) = PythonModuleFactAttribute.Run(script, arguments);
        Assert.True(exitCode == 0, output);
    }
}

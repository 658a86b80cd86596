using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Import.Mxnet;

public class MxnetImporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mximport-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_graph_decides_which_backbone_a_checkpoint_maps_into()
    {
        var paramsPath = Write("mobile", new FMobileFaceNetModel(64));
        var mapped = MxnetImporter.Import(paramsPath);
        Assert.Equal("fmobilefacenet", mapped.Network);
        Assert.Equal(64, mapped.EmbeddingSize);
    }

    [Fact]
    public void The_symbol_file_is_found_beside_the_params_by_prefix()
    {
        Assert.Equal(Path.Combine(_dir, "model-symbol.json"), MxnetImporter.SymbolPathFor(Path.Combine(_dir, "model-0012.params")));
        Assert.Equal(Path.Combine(_dir, "r100-ms1m-symbol.json"), MxnetImporter.SymbolPathFor(Path.Combine(_dir, "r100-ms1m-0001.params")));
    }

    [Fact]
    public void A_missing_symbol_file_is_named()
    {
        var paramsPath = Path.Combine(_dir, "lonely-0001.params");
        File.WriteAllBytes(paramsPath, NDArrayListWriter.Write([("arg:w", [1], [1f])]));
        var e = Assert.Throws<FileNotFoundException>(() => MxnetImporter.Import(paramsPath));
        Assert.Contains("lonely-symbol.json", e.Message);
    }

    [FixtureFact("mxnet-params-v2")]
    public void A_network_we_do_not_build_is_refused()
    {
        // The gender-age net has conv_1_conv2d, so it is judged as an fmobilefacenet and fails the layer check.
        var e = Assert.Throws<MxnetMappingException>(() => MxnetImporter.Import(Fixtures.Path("mxnet-params-v2", "model-0000.params")));
        Assert.Equal("MxnetGraphMismatch", e.ErrorId);
    }

    private string Write(string prefix, MxnetModelBuilder model)
    {
        var paramsPath = Path.Combine(_dir, $"{prefix}-0000.params");
        File.WriteAllBytes(paramsPath, NDArrayListWriter.Write(model.Arrays));
        File.WriteAllText(Path.Combine(_dir, $"{prefix}-symbol.json"), model.SymbolJson());
        return paramsPath;
    }
}

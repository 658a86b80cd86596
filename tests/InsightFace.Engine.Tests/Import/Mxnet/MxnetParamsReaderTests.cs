using System.Buffers.Binary;
using InsightFace.Engine.Import.Mxnet;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Import.Mxnet;

public class MxnetParamsReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mxparams-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string FixtureParams => Fixtures.Path("mxnet-params-v2", "model-0000.params");
    private static string FixtureSymbol => Fixtures.Path("mxnet-params-v2", "model-symbol.json");

    [FixtureFact("mxnet-params-v2")]
    public void Real_file_has_146_float32_arrays_that_cover_the_file_exactly()
    {
        var arrays = MxnetParamsReader.Read(FixtureParams);

        Assert.Equal(146, arrays.Count);
        Assert.All(arrays, a => Assert.Equal(MxnetDType.Float32, a.DType));
        Assert.All(arrays, a => Assert.Equal(a.ElementCount * 4, a.Data.Length));
        Assert.Equal(88, arrays.Count(a => a.Name.StartsWith("arg:", StringComparison.Ordinal)));
        Assert.Equal(58, arrays.Count(a => a.Name.StartsWith("aux:", StringComparison.Ordinal)));

        // Byte accounting done independently of the reader: list header, 12+8*ndim+12 bytes of V2 header per
        // array, its data, then the names list. The reader also refuses trailing bytes, so this is exact.
        var expected = 8 + 8 + 8 + arrays.Sum(a => 4 + 4 + 4 + 8 * a.Shape.Length + 4 + 4 + 4 + a.Data.Length)
                       + 8 + arrays.Sum(a => 8 + System.Text.Encoding.UTF8.GetByteCount(a.Name));
        Assert.Equal(new FileInfo(FixtureParams).Length, expected);

        // The first value, read straight from the bytes after the first V2 header (offset 56 for a 1-d array).
        var raw = File.ReadAllBytes(FixtureParams);
        Assert.Single(arrays[0].Shape);
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(56)), arrays[0].ToSingles()[0]);
    }

    [FixtureFact("mxnet-params-v2")]
    public void Real_file_names_and_shapes_agree_with_its_symbol_graph()
    {
        var arrays = MxnetParamsReader.Read(FixtureParams).ToDictionary(a => a.BareName);
        var symbol = MxnetSymbolReader.Read(FixtureSymbol);

        var weights = symbol.Nodes.Where(n => n.IsVariable && n.Name != "data").Select(n => n.Name).ToHashSet();
        Assert.Equal(weights.Order(), arrays.Keys.Order());

        var channels = InferChannels(symbol);
        foreach (var node in symbol.Operators)
        {
            var input = channels[node.Inputs[0]];
            var weightInputs = node.Inputs.Skip(1).Select(i => arrays[symbol.Nodes[i].Name]).ToList();
            switch (node.Op)
            {
                case "Convolution":
                    var kernel = ParseTuple(node.Attrs["kernel"]);
                    var groups = int.Parse(node.Attrs["num_group"]);
                    Assert.Equal([long.Parse(node.Attrs["num_filter"]), input / groups, kernel[0], kernel[1]], weightInputs[0].Shape);
                    break;
                case "BatchNorm":
                    Assert.Equal(4, weightInputs.Count);
                    Assert.All(weightInputs, w => Assert.Equal([input], w.Shape));
                    Assert.StartsWith("aux:", weightInputs[2].Name); // moving_mean and moving_var are aux states
                    Assert.StartsWith("aux:", weightInputs[3].Name);
                    break;
                case "LeakyReLU":
                    Assert.Equal([input], weightInputs[0].Shape);
                    break;
                case "FullyConnected":
                    Assert.Equal([long.Parse(node.Attrs["num_hidden"]), input], weightInputs[0].Shape);
                    Assert.Equal([long.Parse(node.Attrs["num_hidden"])], weightInputs[1].Shape);
                    break;
            }
        }
    }

    [FixtureFact("mxnet-params-v2")]
    public void Real_file_values_have_the_statistics_training_leaves()
    {
        var arrays = MxnetParamsReader.Read(FixtureParams);
        var symbol = MxnetSymbolReader.Read(FixtureSymbol);

        Assert.All(arrays, a => Assert.All(a.ToSingles(), v => Assert.True(float.IsFinite(v), a.Name)));
        // A running variance is an average of variances, so never negative. Exactly 0 only happens for a dead
        // channel (constant input), whose running mean is then that constant: 0 after a ReLU that never fires.
        foreach (var variance in arrays.Where(a => a.Name.EndsWith("_moving_var", StringComparison.Ordinal)))
        {
            var mean = arrays.Single(a => a.Name == variance.Name.Replace("_moving_var", "_moving_mean")).ToSingles();
            var values = variance.ToSingles();
            for (var c = 0; c < values.Length; c++)
            {
                Assert.True(values[c] >= 0, variance.Name);
                if (values[c] == 0) Assert.Equal(0f, mean[c]);
            }
        }

        // fix_gamma=True BatchNorms never receive a gradient on gamma, so every channel keeps one common value;
        // bn1 (fix_gamma=False) was trained per channel and so varies.
        foreach (var bn in symbol.Operators.Where(n => n.Op == "BatchNorm"))
        {
            var gamma = arrays.Single(a => a.Name == $"arg:{bn.Name}_gamma").ToSingles();
            if (bn.Attrs["fix_gamma"] == "True") Assert.All(gamma, v => Assert.Equal(gamma[0], v));
            else Assert.True(gamma.Distinct().Count() > 1, bn.Name);
        }
    }

    [FixtureFact("mxnet-params-v2")]
    public void Listing_gives_names_shapes_and_types_without_data()
    {
        var listed = MxnetParamsReader.List(FixtureParams);
        var read = MxnetParamsReader.Read(FixtureParams);

        Assert.Equal(read.Select(a => (a.Name, string.Join(",", a.Shape), a.DType)), listed.Select(a => (a.Name, string.Join(",", a.Shape), a.DType)));
        Assert.All(listed, a => Assert.Empty(a.Data));
    }

    [Theory]
    [InlineData(NDArrayListWriter.Encoding.Legacy)]
    [InlineData(NDArrayListWriter.Encoding.V1)]
    [InlineData(NDArrayListWriter.Encoding.V2)]
    [InlineData(NDArrayListWriter.Encoding.V3)]
    public void Every_encoding_reads_back_what_was_written(NDArrayListWriter.Encoding encoding)
    {
        var path = WriteFile(NDArrayListWriter.Write(
        [
            ("arg:w", [2, 3], [1, 2, 3, 4, 5, 6]),
            ("aux:v", [4], [0.5f, 1.5f, -2, 1e-7f]),
        ], encoding));

        var arrays = MxnetParamsReader.Read(path);

        Assert.Equal(["arg:w", "aux:v"], arrays.Select(a => a.Name));
        Assert.Equal([2L, 3], arrays[0].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], arrays[0].ToSingles());
        Assert.Equal([0.5f, 1.5f, -2, 1e-7f], arrays[1].ToSingles());
    }

    [Theory]
    [InlineData(MxnetDType.Float16, 2)]
    [InlineData(MxnetDType.Float64, 8)]
    public void Half_and_double_arrays_read_as_singles(MxnetDType dtype, int elementSize)
    {
        var path = WriteFile(NDArrayListWriter.Write([("arg:w", [3], [0.5f, -2f, 1024f])], dtype: dtype));

        var array = Assert.Single(MxnetParamsReader.Read(path));

        Assert.Equal(dtype, array.DType);
        Assert.Equal(3 * elementSize, array.Data.Length);
        Assert.Equal([0.5f, -2f, 1024f], array.ToSingles());
    }

    [Fact]
    public void None_arrays_are_read_as_such()
    {
        // A V2 "none" array is its magic, a dense storage type and ndim 0, then nothing (NDArray::Save of an empty array).
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(0x112UL); w.Write(0UL); w.Write(1UL);
            w.Write(0xF993FAC9u); w.Write(0); w.Write(0);
            w.Write(1UL); w.Write(4UL); w.Write("none"u8.ToArray());
        }
        var array = Assert.Single(MxnetParamsReader.Read(WriteFile(stream.ToArray())));
        Assert.True(array.IsNone);
        Assert.Equal("none", array.Name);
        Assert.Equal(0, array.ElementCount);
    }

    [Fact]
    public void A_list_without_names_numbers_its_arrays()
    {
        var path = WriteFile(NDArrayListWriter.Write([("x", [1], [7f]), ("y", [1], [8f])], withNames: false));
        Assert.Equal(["0", "1"], MxnetParamsReader.Read(path).Select(a => a.Name));
    }

    [Fact]
    public void Unknown_array_magic_names_its_offset()
    {
        var bytes = NDArrayListWriter.Write([("arg:w", [2], [1f, 2f])]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), 0xDEADBEEF);
        var path = WriteFile(bytes);

        var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));

        Assert.Equal("MxnetParamsUnknownMagic", e.ErrorId);
        Assert.Equal(24, e.Offset);
        Assert.Contains("offset 24", e.Message);
        Assert.Contains("0xDEADBEEF", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Unknown_list_magic_names_offset_zero()
    {
        var path = WriteFile(new byte[32]);
        var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));
        Assert.Equal("MxnetParamsUnknownMagic", e.ErrorId);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Truncation_anywhere_names_the_offset_where_data_ran_out()
    {
        var bytes = NDArrayListWriter.Write([("arg:w", [2, 2], [1f, 2f, 3f, 4f]), ("arg:b", [2], [5f, 6f])]);
        // Every proper prefix must fail as truncated (a name count that exceeds the rest also counts as truncation).
        for (var length = 0; length < bytes.Length; length++)
        {
            var path = WriteFile(bytes[..length]);
            var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));
            Assert.Equal("MxnetParamsTruncated", e.ErrorId);
            Assert.InRange(e.Offset, 0, length);
            Assert.Contains($"offset {e.Offset}", e.Message);
        }
    }

    [Fact]
    public void Truncated_data_reports_the_offset_of_the_array_data()
    {
        var bytes = NDArrayListWriter.Write([("arg:w", [4], [1f, 2f, 3f, 4f])]);
        var dataOffset = 24 + 4 + 4 + 4 + 8 + 12;
        var path = WriteFile(bytes[..(dataOffset + 5)]);

        var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));

        Assert.Equal(dataOffset, e.Offset);
        Assert.Contains("data of array 0 needs 16 bytes", e.Message);
    }

    [Fact]
    public void A_names_list_of_the_wrong_length_names_its_offset()
    {
        var bytes = NDArrayListWriter.Write([("arg:a", [1], [1f]), ("arg:b", [1], [2f])]);
        var namesOffset = 24 + 2 * (4 + 4 + 4 + 8 + 12 + 4);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(namesOffset), 1);
        var path = WriteFile(bytes);

        var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));

        Assert.Equal("MxnetParamsNameCount", e.ErrorId);
        Assert.Equal(namesOffset, e.Offset);
        Assert.Contains("expected 0 or 2", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var bytes = NDArrayListWriter.Write([("arg:w", [1], [1f])]);
        var path = WriteFile([.. bytes, 0]);
        var e = Assert.Throws<MxnetParamsFormatException>(() => MxnetParamsReader.Read(path));
        Assert.Equal("MxnetParamsTrailingBytes", e.ErrorId);
        Assert.Equal(bytes.Length, e.Offset);
    }

    private string WriteFile(byte[] bytes)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.params");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static long[] ParseTuple(string text) =>
        text.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();

    // Channels of each node's output, by the MXNet ops' definitions (independent of the params file).
    private static Dictionary<int, long> InferChannels(MxnetSymbol symbol)
    {
        var channels = new Dictionary<int, long>();
        foreach (var node in symbol.Nodes)
        {
            channels[node.Index] = node.Op switch
            {
                "null" => node.Name == "data" ? 3 : 0,
                "Convolution" => long.Parse(node.Attrs["num_filter"]),
                "FullyConnected" => long.Parse(node.Attrs["num_hidden"]),
                _ => channels[node.Inputs[0]],
            };
        }
        return channels;
    }
}

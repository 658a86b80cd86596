using InsightFace.Engine.Import;
using InsightFace.Engine.Import.PyTorch;
using TorchSharp;

namespace InsightFace.Engine.Tests.Import.PyTorch;

/// <summary>Tensors larger than one managed array (2 GiB), and strided views, through PthWriter and PthReader.</summary>
public class PthLargeTensorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pth-large-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_tensor_over_2_GiB_is_written_and_read_back()
    {
        // 1,048,578 rows of 512 floats, 2 GiB and 4 KiB: a Partial FC head of a million classes at E = 512. Its
        // source is a sparse file mapped into memory, zero but for three marked elements, so it costs no 2 GiB of RAM.
        const long rows = (1 << 20) + 2, columns = 512, n = rows * columns;
        var marks = new (long Index, float Value)[] { (0, 1.5f), (n / 2 + 3, -2.25f), (n - 1, 3f) };
        var source = Path.Combine(_dir, "source.f32");
        using (var file = new FileStream(source, FileMode.CreateNew, FileAccess.Write))
        {
            file.SetLength(n * sizeof(float));
            foreach (var (index, value) in marks)
            {
                file.Position = index * sizeof(float);
                file.Write(BitConverter.GetBytes(value));
            }
        }
        var path = Path.Combine(_dir, "head.pt");
        using (var weights = new StateDict())
        {
            weights.Add("weight", torch.from_file(source, true, n, torch.ScalarType.Float32).view(rows, columns));
            PthWriter.Write(path, weights, overwrite: false);
        }
        File.Delete(source);

        using var read = PthReader.Read(path);
        Assert.Equal([rows, columns], read["weight"].shape);
        using var flat = read["weight"].view(-1);
        foreach (var (index, value) in marks) Assert.Equal(value, flat[index].item<float>());
        // Every other element is zero: the sum of absolute values (float64, a chunk at a time) is the marks' sum.
        var total = 0.0;
        for (long start = 0; start < n; start += 1 << 24)
        {
            using var scope = torch.NewDisposeScope();
            total += flat.narrow(0, start, Math.Min(1 << 24, n - start)).abs().sum(torch.ScalarType.Float64).item<double>();
        }
        Assert.Equal(marks.Sum(m => Math.Abs((double)m.Value)), total);
    }

    [Fact]
    public void Strided_views_larger_than_a_write_chunk_keep_their_values()
    {
        // Writes go out in 16 MiB chunks: an expanded view of 47 MiB (16 KiB rows), and a transposed view whose rows
        // (20 MiB each, strided) are larger than a chunk.
        using var scope = torch.NewDisposeScope();
        var expanded = torch.arange(3000, torch.ScalarType.Float32).unsqueeze(1).expand(3000, 4096);
        var transposed = torch.arange(2L * (5 << 20), torch.ScalarType.Int32).view(5 << 20, 2).t();
        Assert.False(expanded.is_contiguous());
        Assert.False(transposed.is_contiguous());
        var path = Path.Combine(_dir, "views.pt");
        using (var weights = new StateDict())
        {
            weights.Add("expanded", expanded.alias());
            weights.Add("transposed", transposed.alias());
            PthWriter.Write(path, weights, overwrite: false);
        }

        using var read = PthReader.Read(path);
        Assert.True(read["expanded"].eq(expanded).all().item<bool>());
        Assert.True(read["transposed"].eq(transposed).all().item<bool>());
        Assert.True(read["transposed"].is_contiguous());
    }
}

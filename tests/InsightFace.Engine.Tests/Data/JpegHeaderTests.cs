using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data;

/// <summary>The direct JPEG header reader against SkiaSharp's codec, the independent judge, on real and damaged files.</summary>
public class JpegHeaderTests
{
    [FixtureFact("orl-faces-112")]
    public void Orl_jpegs_give_the_size_skia_reads() => AssertSameAsSkia(Fixtures.Path("orl-faces-112"));

    [FixtureFact("mxnet-im2rec-8faces")]
    public void Webface_jpegs_give_the_size_skia_reads() => AssertSameAsSkia(Fixtures.Path("mxnet-im2rec-8faces"));

    private static void AssertSameAsSkia(string folder)
    {
        foreach (var file in Directory.GetFiles(folder, "*.jpg", SearchOption.AllDirectories).Take(60))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(JpegHeader.IsJpeg(bytes));
            Assert.Equal(ImageSize.FromCodec(bytes), JpegHeader.ReadSize(bytes));
            Assert.Equal(new ImageSize(112, 112), ImageSize.FromEncoded(bytes));
        }
    }

    [Fact]
    public void Every_prefix_and_damaged_header_is_judged_as_skia_judges_it()
    {
        using var dataset = new SyntheticFaceDataset(2, 1, seed: 4);
        var jpeg = dataset.Read(0).Image;
        var headerEnd = Enumerable.Range(0, jpeg.Length - 1).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) + 16;
        var disagreements = new List<string>();
        for (var length = 0; length <= headerEnd; length++)
            Compare(jpeg.AsSpan(0, length).ToArray(), $"prefix of {length} bytes", disagreements);
        var random = new Random(1);
        for (var trial = 0; trial < 2000; trial++)
        {
            var damaged = (byte[])jpeg.Clone();
            var changes = new List<string>();
            for (var k = 0; k <= trial % 2; k++)
            {
                var at = 2 + random.Next(headerEnd - 2);
                damaged[at] = (byte)random.Next(256);
                changes.Add($"byte {at} {jpeg[at]:X2} to {damaged[at]:X2}");
            }
            Compare(damaged, string.Join(", ", changes), disagreements);
        }
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    private static void Compare(byte[] bytes, string what, List<string> disagreements)
    {
        var skia = ImageSize.FromCodec(bytes);
        var ours = ImageSize.FromEncoded(bytes);
        if (skia != ours) disagreements.Add($"{what}: SkiaSharp {skia?.ToString() ?? "none"}, JpegHeader {ours?.ToString() ?? "none"}");
    }

    [Fact]
    public void Bytes_that_are_not_a_jpeg_go_to_the_codec()
    {
        Assert.False(JpegHeader.IsJpeg("not a jpeg"u8));
        Assert.Null(ImageSize.FromEncoded("not a jpeg"u8));
        Assert.Equal(new ImageSize(16, 16), ImageSize.FromEncoded(TestImages.Png(1)));
    }
}

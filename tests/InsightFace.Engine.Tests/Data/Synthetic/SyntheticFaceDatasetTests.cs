using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Synthetic;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.Synthetic;

public class SyntheticFaceDatasetTests
{
    /// <summary>
    /// A crude fixed embedding: the central 48x48 (mostly face) of the image decoded by SkiaSharp, shrunk to 12x12 RGB,
    /// standardised per image (so brightness does not count), as float64.
    /// </summary>
    private static double[] Features(byte[] jpeg)
    {
        using var decoded = SKBitmap.Decode(jpeg);
        using var centre = new SKBitmap();
        Assert.True(decoded.ExtractSubset(centre, SKRectI.Create(32, 32, 48, 48)));
        using var small = centre.Resize(new SKImageInfo(12, 12, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear));
        var features = new double[12 * 12 * 3];
        for (var y = 0; y < 12; y++)
        for (var x = 0; x < 12; x++)
        {
            var pixel = small.GetPixel(x, y);
            features[3 * (y * 12 + x)] = pixel.Red;
            features[3 * (y * 12 + x) + 1] = pixel.Green;
            features[3 * (y * 12 + x) + 2] = pixel.Blue;
        }
        var mean = features.Average();
        var std = Math.Sqrt(features.Average(v => (v - mean) * (v - mean)));
        return features.Select(v => (v - mean) / std).ToArray();
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    [Fact]
    public void Images_are_112x112_jpegs_with_sorted_labels_and_the_seed_fixes_every_byte()
    {
        using var a = new SyntheticFaceDataset(3, 4, seed: 5);
        using var b = new SyntheticFaceDataset(3, 4, seed: 5);
        using var c = new SyntheticFaceDataset(3, 4, seed: 6);

        Assert.Equal((12, 3), (a.Count, a.NumClasses));
        Assert.Equal(DatasetFormat.Synthetic, a.Info.Format);
        Assert.Equal(new ImageSize(112, 112), a.Info.ImageSize);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], Enumerable.Range(0, 12).Select(i => a.Read(i).Label));
        for (var i = 0; i < 12; i++)
        {
            var image = a.Read(i).Image;
            Assert.Equal([0xFF, 0xD8], image[..2]);
            using var decoded = SKBitmap.Decode(image);
            Assert.Equal((112, 112), (decoded.Width, decoded.Height));
            Assert.Equal(image, b.Read(i).Image);
            Assert.NotEqual(image, c.Read(i).Image);
        }
        Assert.Equal(12, Enumerable.Range(0, 12).Select(i => Convert.ToBase64String(a.Read(i).Image)).Distinct().Count());
    }

    [Fact]
    public void Identities_are_learnable_nearest_class_mean_recognises_unseen_images()
    {
        using var dataset = new SyntheticFaceDataset(10, 8, seed: 1);
        var features = Enumerable.Range(0, dataset.Count).Select(i => Features(dataset.Read(i).Image)).ToArray();
        // Class means from images 0-3 of each class; images 4-7 are classified by the nearest mean.
        var means = Enumerable.Range(0, 10).Select(c =>
            Enumerable.Range(0, features[0].Length).Select(d => Enumerable.Range(0, 4).Average(i => features[c * 8 + i][d])).ToArray()).ToArray();
        var correct = Enumerable.Range(0, 10).SelectMany(c => Enumerable.Range(4, 4).Select(i => (c, i)))
            .Count(t => Enumerable.Range(0, 10).MinBy(m => Distance(features[t.c * 8 + t.i], means[m])) == t.c);

        // A template on raw pixels is a weak learner (shifts, rotation, lighting, backgrounds); a CNN does far better.
        Assert.True(correct >= 24, $"nearest class mean got {correct}/40 right (chance is 4)");
    }

    [Fact]
    public void Held_out_pairs_alternate_same_and_different_and_same_pairs_are_closer()
    {
        using var dataset = new SyntheticFaceDataset(5, 4, seed: 3);
        var pairs = dataset.HeldOutPairs(40, heldOutClasses: 8).ToList();
        var training = Enumerable.Range(0, dataset.Count).Select(i => Convert.ToBase64String(dataset.Read(i).Image)).ToHashSet();

        Assert.Equal(40, pairs.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => i % 2 == 0), pairs.Select(p => p.Same));
        Assert.All(pairs, p => Assert.DoesNotContain(Convert.ToBase64String(p.ImageA), training));
        Assert.All(pairs, p => Assert.NotEqual(p.ImageA, p.ImageB));
        var same = pairs.Where(p => p.Same).Average(p => Distance(Features(p.ImageA), Features(p.ImageB)));
        var different = pairs.Where(p => !p.Same).Average(p => Distance(Features(p.ImageA), Features(p.ImageB)));
        Assert.True(same < 0.8 * different, $"mean distance same {same:F0}, different {different:F0}");
        Assert.Equal(pairs.Select(p => p.ImageA), dataset.HeldOutPairs(40, heldOutClasses: 8).Select(p => p.ImageA));
    }
}

using InsightFace.Engine.Data;
using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Data.Loading;
using InsightFace.Engine.Data.RecordIO;
using InsightFace.Engine.Tests.Data.RecordIO;

namespace InsightFace.Engine.Tests.Data.Loading;

public class TrainingLoaderTests
{
    private const int Plane = 112 * 112;
    private static readonly PatternDataset Dataset = new(30, 7);

    [Fact]
    public void Batches_are_bit_identical_for_1_2_and_4_workers_and_when_resumed()
    {
        var reference = Collect(new TrainingLoaderOptions(4, 1, 11, Prefetch: 2), epoch: 3);
        Assert.Equal(7, reference.Count);
        foreach (var workers in new[] { 2, 4 })
            AssertSame(reference, Collect(new TrainingLoaderOptions(4, workers, 11, Prefetch: 3), epoch: 3));
        foreach (var start in new[] { 1, 5, 7 })
            AssertSame(reference.Skip(start).ToList(), Collect(new TrainingLoaderOptions(4, 3, 11), epoch: 3, start));
    }

    [Fact]
    public void The_shuffle_depends_only_on_seed_and_epoch()
    {
        using var a = new TrainingLoader(Dataset, new TrainingLoaderOptions(4, 1, 5));
        using var b = new TrainingLoader(Dataset, new TrainingLoaderOptions(8, 2, 5));
        using var c = new TrainingLoader(Dataset, new TrainingLoaderOptions(4, 1, 6));
        Assert.Equal(a.SampleOrder(2), b.SampleOrder(2));
        Assert.NotEqual(a.SampleOrder(2), a.SampleOrder(3));
        Assert.NotEqual(a.SampleOrder(2), c.SampleOrder(2));
        Assert.Equal(Enumerable.Range(0, 30), a.SampleOrder(2).Order());
    }

    [Theory]
    [InlineData(30, 4, 1, 7)]
    [InlineData(30, 5, 1, 6)]
    [InlineData(30, 4, 3, 2)]
    [InlineData(30, 3, 4, 2)]
    [InlineData(30, 31, 1, 0)]
    public void The_last_partial_batch_is_dropped(int count, int batchSize, int worldSize, int expected)
    {
        var dataset = count == Dataset.Count ? Dataset : new PatternDataset(count, 3);
        for (var rank = 0; rank < worldSize; rank++)
        {
            using var loader = new TrainingLoader(dataset, new TrainingLoaderOptions(batchSize, 2, 1, rank, worldSize));
            Assert.Equal(expected, loader.BatchesPerEpoch);
            var batches = 0;
            foreach (var batch in loader.Epoch(0))
            {
                Assert.Equal(batchSize, batch.Count);
                Assert.Equal(batches++, batch.Index);
                batch.Dispose();
            }
            Assert.Equal(expected, batches);
        }
    }

    [Fact]
    public void Ranks_take_disjoint_strided_shards_of_the_same_permutation()
    {
        using var single = new TrainingLoader(Dataset, new TrainingLoaderOptions(1, 1, 9));
        var permutation = single.SampleOrder(4);
        var shards = Enumerable.Range(0, 3).Select(rank =>
        {
            using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(2, 1, 9, rank, 3));
            return loader.SampleOrder(4);
        }).ToArray();
        for (var rank = 0; rank < 3; rank++)
            Assert.Equal(permutation.Where((_, k) => k % 3 == rank), shards[rank]);
        Assert.Equal(Enumerable.Range(0, 30), shards.SelectMany(s => s).Order());
    }

    [Fact]
    public void Images_are_normalised_rgb_chw_mirrored_exactly_when_chosen_and_labels_match()
    {
        using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(5, 2, 3));
        var order = loader.SampleOrder(1);
        var decoder = new FaceImageDecoder();
        var fromDecoder = new float[3 * Plane];
        var flips = 0;
        foreach (var batch in loader.Epoch(1))
        {
            using (batch)
            {
                for (var k = 0; k < batch.Count; k++)
                {
                    var sample = order[batch.Index * 5 + k];
                    var flip = loader.IsFlipped(1, sample);
                    flips += flip ? 1 : 0;
                    Assert.Equal(Dataset.LabelOf(sample), batch.Labels[k]);
                    var image = batch.Images.AsSpan(k * 3 * Plane, 3 * Plane);
                    // Independently: pixel (x, y) of the output is the source's (111 − x, y) when mirrored.
                    foreach (var (x, y) in new[] { (0, 0), (3, 50), (111, 7), (60, 111) })
                    {
                        var (r, g, b) = PatternDataset.Colour(sample, flip ? 111 - x : x, y);
                        Assert.Equal((r / 255f - 0.5f) / 0.5f, image[y * 112 + x]);
                        Assert.Equal((g / 255f - 0.5f) / 0.5f, image[Plane + y * 112 + x]);
                        Assert.Equal((b / 255f - 0.5f) / 0.5f, image[2 * Plane + y * 112 + x]);
                    }
                    decoder.DecodeChw(Dataset.Bytes(sample), FaceImageTransform.ArcFace, fromDecoder, flip);
                    Assert.True(image.SequenceEqual(fromDecoder));
                }
            }
        }
        Assert.InRange(flips, 5, 25);
    }

    [Fact]
    public void Random_flip_can_be_turned_off()
    {
        using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(5, 1, 3, RandomFlip: false));
        Assert.DoesNotContain(Enumerable.Range(0, 30), i => loader.IsFlipped(0, i));
    }

    [Fact]
    public void Memory_stays_flat_over_epochs_when_batches_are_disposed()
    {
        using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(2, 2, 1, Prefetch: 3));
        for (var epoch = 0; epoch < 3; epoch++)
            foreach (var batch in loader.Epoch(epoch))
                batch.Dispose();
        // The prefetched batches and the one the consumer holds, at most.
        Assert.InRange(loader.BuffersAllocated, 1, 4);
    }

    [Fact]
    public void Cancellation_stops_the_epoch_and_leaving_early_leaves_the_loader_usable()
    {
        using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(2, 2, 1));
        using var stop = new CancellationTokenSource();
        var received = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(0, 0, stop.Token))
            {
                batch.Dispose();
                if (++received == 2) stop.Cancel();
            }
        });
        Assert.Equal(2, received);
        using (var first = loader.Epoch(0).First()) Assert.Equal(0, first.Index);
        Assert.Equal(15, loader.Epoch(0).Count(b => { b.Dispose(); return true; }));
    }

    [Fact]
    public void An_undecodable_image_names_its_record_epoch_and_sample()
    {
        var dataset = new PatternDataset(12, 3);
        dataset.Corrupt.Add(7);
        using var loader = new TrainingLoader(dataset, new TrainingLoaderOptions(3, 2, 1));
        var error = Assert.Throws<DatasetFormatException>(() =>
        {
            foreach (var batch in loader.Epoch(2)) batch.Dispose();
        });
        Assert.Equal(ErrorIds.DatasetImageUndecodable, error.ErrorId);
        Assert.Equal("pattern#7", error.FilePath);
        Assert.Contains("pattern#7", error.Message);
        Assert.Contains("epoch 2", error.Message);
        Assert.Contains("sample 7", error.Message);
    }

    [Fact]
    public void A_recordio_dataset_loads_the_images_its_bytes_decode_to_and_an_undecodable_one_names_its_offset()
    {
        using var temp = new TempFolder();
        var png = Dataset.Bytes(0);
        RawRecordIO.Write(temp["good.rec"], temp["good.idx"], RawRecordIO.Payload(0, 0, 0, [], png), RawRecordIO.Payload(0, 1, 1, [], png));
        var offsets = RawRecordIO.Write(temp["bad.rec"], temp["bad.idx"],
            RawRecordIO.Payload(0, 0, 0, [], png), RawRecordIO.Payload(0, 1, 1, [], png), RawRecordIO.Payload(0, 1, 2, [], [1, 2, 3]));
        var expected = new float[3 * Plane];
        new FaceImageDecoder().DecodeChw(png, FaceImageTransform.ArcFace, expected, flip: false);

        using (var good = RecordIODataset.Open(temp["good.rec"]))
        using (var loader = new TrainingLoader(good, new TrainingLoaderOptions(2, 1, 1, RandomFlip: false)))
        {
            var batch = Assert.Single(loader.Epoch(0));
            using (batch)
            {
                Assert.True(batch.Images.AsSpan(0, 3 * Plane).SequenceEqual(expected));
                Assert.True(batch.Images.AsSpan(3 * Plane, 3 * Plane).SequenceEqual(expected));
                Assert.Equal([0L, 1L], batch.Labels.Order());
            }
        }

        using var bad = RecordIODataset.Open(temp["bad.rec"]);
        using var all = new TrainingLoader(bad, new TrainingLoaderOptions(3, 1, 1));
        var error = Assert.Throws<DatasetFormatException>(() =>
        {
            foreach (var batch in all.Epoch(0)) batch.Dispose();
        });
        Assert.Equal(ErrorIds.DatasetImageUndecodable, error.ErrorId);
        Assert.Equal($"{temp["bad.rec"]}@{offsets[2]}", error.FilePath);
        Assert.StartsWith($"{temp["bad.rec"]}@{offsets[2]} (epoch 0, batch 0, sample 2): expected an encoded image", error.Message);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingLoader(Dataset, new TrainingLoaderOptions(0, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingLoader(Dataset, new TrainingLoaderOptions(1, 0, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingLoader(Dataset, new TrainingLoaderOptions(1, 1, 1, 2, 2)));
        using var loader = new TrainingLoader(Dataset, new TrainingLoaderOptions(4, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.Epoch(0, 8));
    }

    private static List<(float[] Images, long[] Labels, long Index)> Collect(TrainingLoaderOptions options, int epoch, long start = 0)
    {
        using var loader = new TrainingLoader(Dataset, options);
        var batches = new List<(float[], long[], long)>();
        foreach (var batch in loader.Epoch(epoch, start))
            using (batch)
                batches.Add(((float[])batch.Images.Clone(), (long[])batch.Labels.Clone(), batch.Index));
        return batches;
    }

    private static void AssertSame(List<(float[] Images, long[] Labels, long Index)> expected, List<(float[] Images, long[] Labels, long Index)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var b = 0; b < expected.Count; b++)
        {
            Assert.Equal(expected[b].Index, actual[b].Index);
            Assert.Equal(expected[b].Labels, actual[b].Labels);
            Assert.True(expected[b].Images.AsSpan().SequenceEqual(actual[b].Images), $"batch {expected[b].Index} differs");
        }
    }
}

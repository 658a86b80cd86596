using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.Verification;

public sealed class VerificationBinReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("insightface-bin-").FullName;
    private static readonly byte[] ImageA = [0xFF, 0xD8, 0x00, 0x80, 0xFF, 0x7F, 0x0A, 0x0D];
    private static readonly byte[] ImageB = Enumerable.Range(0, 300).Select(i => (byte)(255 - i % 256)).ToArray();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Save(byte[] bytes, string name = "set.bin")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Python2_str_entries_come_back_as_their_exact_bytes()
    {
        // lfw2pack.py under Python 2: protocol 2, raw file bytes as str, bools.
        var pickle = new PickleOps().Proto(2).EmptyList().Mark().Py2Str(ImageA).Py2Str(ImageB).Appends()
            .EmptyList().Mark().True().Appends().Tuple2().Stop().ToArray();

        var set = VerificationBinReader.Read(Save(pickle));

        Assert.Equal(1, set.Pairs);
        Assert.Equal(ImageA, set.Images[0]);
        Assert.Equal(ImageB, set.Images[1]);
        Assert.Equal([true], set.IsSame);
    }

    [Fact]
    public void Numpy_uint8_arrays_from_python2_cv2_imencode_are_read()
    {
        // agedb2pack2.py / cfp2pack.py: cv2.imencode output, numpy (N, 1) uint8 arrays, pickled by Python 2.
        var pickle = new PickleOps().Proto(2).EmptyList().Mark()
            .NumpyArray(ImageA, "u1", py2: true).NumpyArray(ImageB, "u1", py2: true).NumpyArray(ImageB, "u1", py2: true)
            .NumpyArray(ImageA, "u1", py2: true).Appends()
            .EmptyList().Mark().False().True().Appends().Tuple2().Stop().ToArray();

        var set = VerificationBinReader.Read(Save(pickle));

        Assert.Equal([ImageA, ImageB, ImageB, ImageA], set.Images);
        Assert.Equal([false, true], set.IsSame);
    }

    [Fact]
    public void Numpy_arrays_and_a_numpy_bool_flag_array_from_python3_are_read()
    {
        var pickle = new PickleOps().Proto(3).EmptyList().Mark()
            .NumpyArray(ImageA, "u1", py2: false).NumpyArray(ImageB, "u1", py2: false).Appends()
            .NumpyArray([1], "b1", py2: false).Tuple2().Stop().ToArray();

        var set = VerificationBinReader.Read(Save(pickle));

        Assert.Equal([ImageA, ImageB], set.Images);
        Assert.Equal([true], set.IsSame);
    }

    [Fact]
    public void Numpy2_protocol5_frombuffer_arrays_are_read()
    {
        var pickle = new PickleOps().Proto(5).EmptyList().Mark().NumpyFromBuffer(ImageB).NumpyFromBuffer(ImageA).Appends()
            .EmptyList().Mark().False().Appends().Tuple2().Stop().ToArray();

        var set = VerificationBinReader.Read(Save(pickle));

        Assert.Equal([ImageB, ImageA], set.Images);
        Assert.Equal([false], set.IsSame);
    }

    [Fact]
    public void Python3_bytes_entries_are_read()
    {
        var pickle = new PickleOps().Proto(3).EmptyList().Mark().Bytes(ImageA).Bytes(ImageB).Appends()
            .EmptyList().Mark().True().Appends().Tuple2().Stop().ToArray();
        Assert.Equal([ImageA, ImageB], VerificationBinReader.Read(Save(pickle)).Images);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void A_jpeg_is_not_a_pickle()
    {
        var path = Save(File.ReadAllBytes(FaceFixtures.Image(1, 1)), "face.bin");
        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(path));
        Assert.Equal(ErrorIds.VerificationBinNotPickle, e.ErrorId);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("0xFF", e.Message);
    }

    [Fact]
    public void A_truncated_pickle_is_reported_as_truncated()
    {
        var whole = new PickleOps().Proto(3).EmptyList().Mark().Bytes(ImageA).Bytes(ImageB).Appends()
            .EmptyList().Mark().True().Appends().Tuple2().Stop().ToArray();
        foreach (var length in new[] { 1, 5, whole.Length / 2, whole.Length - 1 })
        {
            var path = Save(whole[..length], $"cut{length}.bin");
            var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(path));
            Assert.True(e.ErrorId == ErrorIds.VerificationBinTruncated, $"{length}: {e.Message}");
            Assert.Contains(path, e.Message);
            Assert.Contains($"ends at byte {length}", e.Message);
        }
    }

    [Fact]
    public void An_empty_file_is_reported_as_truncated()
    {
        var path = Save([], "empty.bin");
        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(path));
        Assert.Equal(ErrorIds.VerificationBinTruncated, e.ErrorId);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Images_not_twice_the_flags_is_a_count_mismatch()
    {
        var pickle = new PickleOps().Proto(2).EmptyList().Mark().Py2Str(ImageA).Py2Str(ImageB).Py2Str(ImageA).Appends()
            .EmptyList().Mark().True().Appends().Tuple2().Stop().ToArray();
        var path = Save(pickle);

        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(path));

        Assert.Equal(ErrorIds.VerificationBinCountMismatch, e.ErrorId);
        Assert.Contains(path, e.Message);
        Assert.Contains("3 images and 1 issame flags", e.Message);
    }

    [Fact]
    public void A_pickle_of_something_else_is_unexpected_content()
    {
        var path = Save(new PickleOps().Proto(2).EmptyList().Mark().True().Appends().Stop().ToArray());
        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(path));
        Assert.Equal(ErrorIds.VerificationBinUnexpectedContent, e.ErrorId);
        Assert.Contains("expected a pickled 2-tuple (bins, issame_list), found a list of 1", e.Message);
    }

    [Fact]
    public void An_entry_of_another_type_names_its_index()
    {
        var pickle = new PickleOps().Proto(2).EmptyList().Mark().Py2Str(ImageA).BinInt1(7).Appends()
            .EmptyList().Mark().True().Appends().Tuple2().Stop().ToArray();
        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(Save(pickle)));
        Assert.Equal(ErrorIds.VerificationBinUnexpectedContent, e.ErrorId);
        Assert.Contains("bins[1] is a Int32", e.Message);
    }

    [Fact]
    public void Globals_outside_numpy_are_never_called()
    {
        // os.system('echo') would run a command under Python's pickle; here it is an unsupported object.
        var pickle = new PickleOps().Proto(2).Global("os", "system").Py2Str("echo"u8.ToArray()).Tuple1().Reduce().Stop().ToArray();
        var e = Assert.Throws<VerificationSetException>(() => VerificationBinReader.Read(Save(pickle)));
        Assert.Equal(ErrorIds.VerificationBinUnexpectedContent, e.ErrorId);
    }
}

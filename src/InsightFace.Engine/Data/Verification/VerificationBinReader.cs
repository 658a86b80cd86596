using System.Collections;
using Razorvine.Pickle;

namespace InsightFace.Engine.Data.Verification;

/// <summary>
/// Reads InsightFace's verification <c>.bin</c>: a pickle of <c>(bins, issame_list)</c>. Entries may be bytes,
/// Python 2 strings (Latin-1) or numpy uint8 arrays as written by cv2.imencode; flags may be bools, 0/1 or
/// numpy bools.
/// </summary>
public static class VerificationBinReader
{
    private const byte ProtoOpcode = 0x80;

    /// <summary>Reads the whole file; throws <see cref="VerificationSetException"/> naming the file on bad content.</summary>
    public static VerificationSet Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var root = Unpickle(path, bytes);
        if (root is not object[] { Length: 2 } tuple || tuple[0] is not IList bins || !IsFlagList(tuple[1]))
            throw Unexpected(path, $"expected a pickled 2-tuple (bins, issame_list), found {Describe(root)}");

        var isSame = ReadFlags(path, tuple[1]!);
        if (bins.Count != 2 * isSame.Length)
            throw new VerificationSetException(ErrorIds.VerificationBinCountMismatch, path,
                $"{path}: holds {bins.Count} images and {isSame.Length} issame flags; expected two images per flag " +
                $"({2 * isSame.Length} images).");

        var images = new byte[bins.Count][];
        for (var i = 0; i < bins.Count; i++)
            images[i] = bins[i] switch
            {
                byte[] data => data,
                string text => NumpyPickleObjects.Bytes(text),
                NumpyArray { Dtype: "u1" or "i1" } array => array.Data,
                var other => throw Unexpected(path, $"bins[{i}] is {Describe(other)}; expected bytes or a uint8 array"),
            };
        return new VerificationSet(images, isSame);
    }

    private static object? Unpickle(string path, byte[] bytes)
    {
        if (bytes.Length == 0)
            throw new VerificationSetException(ErrorIds.VerificationBinTruncated, path, $"{path}: the file is empty; expected a pickle.");
        NumpyPickleObjects.Register();
        using var stream = new MemoryStream(bytes, writable: false);
        try
        {
            using var unpickler = new Unpickler();
            return unpickler.load(stream);
        }
        catch (Exception e) when (e is PickleException or IOException or IndexOutOfRangeException or ArgumentException
                                       or InvalidCastException or InvalidOperationException)
        {
            // Having consumed every byte without reaching STOP means the file was cut short.
            if (stream.Position >= bytes.Length)
                throw new VerificationSetException(ErrorIds.VerificationBinTruncated, path,
                    $"{path}: the pickle is truncated: it ends at byte {bytes.Length} before its STOP opcode.", e);
            if (bytes[0] != ProtoOpcode)
                throw new VerificationSetException(ErrorIds.VerificationBinNotPickle, path,
                    $"{path}: not a Python pickle (byte 0 is 0x{bytes[0]:X2}; expected the PROTO opcode 0x80).", e);
            throw new VerificationSetException(ErrorIds.VerificationBinUnexpectedContent, path,
                $"{path}: the pickle cannot be read at byte {stream.Position}: {e.Message}", e);
        }
    }

    private static bool IsFlagList(object? value) => value is IList or NumpyArray;

    private static bool[] ReadFlags(string path, object value)
    {
        if (value is NumpyArray array)
        {
            if (array.Dtype is not ("b1" or "?" or "u1"))
                throw Unexpected(path, $"issame_list is a numpy {array.Dtype} array; expected bool");
            return array.Data.Select(b => b != 0).ToArray();
        }
        var list = (IList)value;
        var flags = new bool[list.Count];
        for (var i = 0; i < list.Count; i++)
            flags[i] = list[i] switch
            {
                bool flag => flag,
                int number and (0 or 1) => number == 1,
                NumpyArray { Dtype: "b1" or "?", Data.Length: 1 } scalar => scalar.Data[0] != 0,
                var other => throw Unexpected(path, $"issame_list[{i}] is {Describe(other)}; expected a bool"),
            };
        return flags;
    }

    private static VerificationSetException Unexpected(string path, string detail) =>
        new(ErrorIds.VerificationBinUnexpectedContent, path, $"{path}: {detail}.");

    private static string Describe(object? value) => value switch
    {
        null => "None",
        object[] tuple => $"a {tuple.Length}-tuple",
        IList list => $"a list of {list.Count}",
        NumpyArray array => $"a numpy {array.Dtype} array",
        _ => $"a {value.GetType().Name}",
    };
}

using System.IO.Compression;
using System.Numerics;
using TorchSharp;

namespace InsightFace.Engine.Import.PyTorch;

/// <summary>
/// Reads PyTorch state dicts saved with <c>torch.save</c>: the zip format (torch ≥ 1.6, arcface_torch's
/// <c>model.pt</c>/<c>backbone.pth</c>) and the legacy format (five pickles, then raw storages). Layout:
/// shared/docs/reference/formats.md §4.2. Tensors come back on the CPU, contiguous, in the file's dtypes.
/// </summary>
public static class PthReader
{
    // Storages come in this many bytes at a time, however large they are.
    private const long ChunkBytes = 16 << 20;

    private static readonly BigInteger LegacyMagic = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture); // 0x1950a86a20f9469cfc6c

    /// <summary>
    /// Reads the state dict in <paramref name="path"/>. When the file holds a dict of state dicts (such as
    /// arcface_torch's <c>checkpoint_gpu_0.pt</c>), <paramref name="entry"/> names the one to read
    /// (for example <c>state_dict_backbone</c>).
    /// </summary>
    /// <exception cref="PthFormatException">The file is not a readable PyTorch state dict.</exception>
    public static StateDict Read(string path, string? entry = null)
    {
        using var file = File.OpenRead(path);
        Span<byte> signature = stackalloc byte[4];
        var isZip = file.ReadAtLeast(signature, 4, throwOnEndOfStream: false) == 4 && signature.SequenceEqual("PK\u0003\u0004"u8);
        file.Position = 0;
        try
        {
            return isZip ? ReadZip(path, file, entry) : ReadLegacy(path, ReadAll(file), entry);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or NullReferenceException)
        {
            throw new PthFormatException(ErrorIds.PthUnreadable, path, $"PyTorch file '{path}' cannot be read: {e.Message}.", e);
        }
        catch (InvalidDataException e)
        {
            throw new PthFormatException(ErrorIds.PthUnreadable, path, $"PyTorch file '{path}' is not a valid zip archive: {e.Message}", e);
        }
    }

    private static StateDict ReadZip(string path, Stream file, string? entry)
    {
        using var archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        // Every record sits under one folder whose name is the file stem at save time (formats.md §4.2).
        var root = archive.Entries.Count > 0 ? archive.Entries[0].FullName.Split('/')[0] : throw new FormatException("the zip archive is empty");
        ZipArchiveEntry? Record(string name) => archive.GetEntry($"{root}/{name}");

        if (Record("constants.pkl") is not null)
            throw new PthFormatException(ErrorIds.PthTorchScript, path,
                $"PyTorch file '{path}' is a TorchScript archive (torch.jit.save), not a state dict; save one with torch.save(model.state_dict(), path).");
        var pickle = Record("data.pkl") ?? throw new PthFormatException(ErrorIds.PthUnreadable, path, $"PyTorch file '{path}' has no '{root}/data.pkl' record.");
        if (Record("byteorder") is { } order && ReadAll(order) is var text && System.Text.Encoding.ASCII.GetString(text) != "little")
            throw new PthFormatException(ErrorIds.PthUnreadable, path, $"PyTorch file '{path}' stores tensors in byte order '{System.Text.Encoding.ASCII.GetString(text)}'; expected 'little'.");

        var value = new PickleReader(ReadAll(pickle), $"{root}/data.pkl").Load();
        return Build(path, value, entry, (key, dtype) =>
            ReadStorage(Record($"data/{key}") ?? throw new FormatException($"record '{root}/data/{key}' is missing"), dtype));
    }

    // A record read straight into a tensor, a chunk at a time: a storage of any size (a Partial FC head of a million
    // classes is over 2 GiB, more than one managed array holds) needs no copy of the whole.
    private static torch.Tensor ReadStorage(ZipArchiveEntry record, torch.ScalarType dtype)
    {
        var elementSize = ElementSize(dtype);
        if (record.Length % elementSize != 0)
            throw new FormatException($"record '{record.FullName}' holds {record.Length} bytes, not a whole number of {elementSize}-byte elements");
        var flat = torch.empty(record.Length / elementSize, dtype);
        try
        {
            using var stream = record.Open();
            var perChunk = ChunkBytes / elementSize;
            for (long start = 0; start < flat.shape[0]; start += perChunk)
            {
                using var chunk = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
                stream.ReadExactly(chunk.bytes);
            }
            return flat;
        }
        catch
        {
            flat.Dispose();
            throw;
        }
    }

    private static StateDict ReadLegacy(string path, byte[] bytes, string? entry)
    {
        var reader = new PickleReader(bytes, path);
        // A legacy file starts with a pickle (PROTO opcode 0x80) of the magic number.
        if (bytes.Length == 0 || bytes[0] != 0x80 || reader.Load() is not BigInteger magic || magic != LegacyMagic)
            throw new PthFormatException(ErrorIds.PthUnknownFormat, path,
                $"PyTorch file '{path}' is neither a zip archive (torch >= 1.6) nor a legacy torch.save file (magic 0x1950a86a20f9469cfc6c at offset 0).");
        reader.Load(); // protocol version
        if (reader.Load() is PickleDict info && info.Items.FirstOrDefault(i => "little_endian".Equals(i.Key)).Value is false)
            throw new PthFormatException(ErrorIds.PthUnreadable, path, $"PyTorch file '{path}' was saved on a big-endian machine.");
        var value = reader.Load();
        var keys = reader.Load() as List<object?> ?? throw new FormatException("the storage key list after the object is missing");

        // Each storage follows in key-list order: an 8-byte element count, then the raw elements.
        var elementSizes = new Dictionary<string, int>();
        Collect(value, elementSizes);
        var storages = new Dictionary<string, byte[]>();
        foreach (var key in keys.Cast<string>())
        {
            var offset = reader.Position;
            if (bytes.Length - offset < 8) throw new FormatException($"storage '{key}' header is truncated at offset {offset}");
            var count = BitConverter.ToInt64(bytes, offset);
            var size = count * elementSizes.GetValueOrDefault(key, 1);
            if (count < 0 || size > bytes.Length - offset - 8) throw new FormatException($"storage '{key}' at offset {offset} needs {size} bytes; the file ends first");
            storages[key] = bytes[(offset + 8)..(int)(offset + 8 + size)];
            reader.Position = (int)(offset + 8 + size);
        }
        return Build(path, value, entry, (key, dtype) =>
        {
            var data = storages.TryGetValue(key, out var bytes) ? bytes : throw new FormatException($"storage '{key}' is not in the file");
            var flat = torch.empty(data.Length / ElementSize(dtype), dtype);
            flat.bytes = data;
            return flat;
        });
    }

    /// <summary>The state dict in <paramref name="value"/>; <paramref name="load"/> reads a storage (each once).</summary>
    private static StateDict Build(string path, object? value, string? entry, Func<string, torch.ScalarType, torch.Tensor> load)
    {
        var storages = new Dictionary<string, torch.Tensor>();
        try
        {
            return StateDictOf(path, value, entry, (key, dtype) => storages.TryGetValue(key, out var flat) ? flat : storages[key] = load(key, dtype));
        }
        finally
        {
            foreach (var storage in storages.Values) storage.Dispose();
        }
    }

    private static StateDict StateDictOf(string path, object? value, string? entry, Func<string, torch.ScalarType, torch.Tensor> storage)
    {
        if (entry is not null)
            value = value is PickleDict outer && outer.Items.FirstOrDefault(i => entry.Equals(i.Key)) is { Key: not null } item
                ? item.Value
                : throw new PthFormatException(ErrorIds.PthEntryMissing, path, $"PyTorch file '{path}' has no top-level entry '{entry}'.");
        if (value is not PickleDict dict)
            throw new PthFormatException(ErrorIds.PthNotAStateDict, path, $"PyTorch file '{path}' holds a {Describe(value)}, not a state dict (a dict of tensors).");

        var result = new StateDict();
        try
        {
            foreach (var (key, item) in dict.Items)
            {
                if (key is not string name || UnwrapParameter(item) is not PickleCall tensor || !IsTensor(tensor))
                    throw new PthFormatException(ErrorIds.PthNotAStateDict, path,
                        $"PyTorch file '{path}': key '{key}' holds a {Describe(item)}, not a tensor. " +
                        (item is PickleDict ? "It is a nested dict: pass its name as the entry to read (for example state_dict_backbone)." : "Save the model's state_dict()."));
                result.Add(name, Tensor(tensor, storage));
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static object? UnwrapParameter(object? value) =>
        value is PickleCall { Function: { Module: "torch._utils", Name: "_rebuild_parameter" }, Arguments: [var data, ..] } ? data : value;

    private static bool IsTensor(PickleCall call) =>
        call.Function is { Module: "torch._utils", Name: "_rebuild_tensor_v2" or "_rebuild_tensor" } && call.Arguments.Length >= 4;

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
    private static torch.Tensor Tensor(PickleCall call, Func<string, torch.ScalarType, torch.Tensor> storage)
    {
        var (key, dtype) = StorageOf(call.Arguments[0]);
        var offset = (long)call.Arguments[1]!;
        var size = ((object?[])call.Arguments[2]!).Select(d => (long)d!).ToArray();
        var stride = ((object?[])call.Arguments[3]!).Select(d => (long)d!).ToArray();

        var flat = storage(key, dtype);
        var needed = offset + size.Zip(stride, (n, s) => n == 0 ? 0 : (n - 1) * s).Sum() + (size.Contains(0) ? 0 : 1);
        if (needed > flat.shape[0])
            throw new FormatException($"tensor view of storage '{key}' needs {needed} elements; the storage has {flat.shape[0]}");
        using var view = flat.as_strided(size, stride, offset);
        // A view of its whole storage in order (what torch.save writes for a parameter) is the storage itself: a large
        // tensor is not copied a second time. Any other view gets memory of its own.
        return offset == 0 && needed == flat.shape[0] && view.is_contiguous() ? view.alias() : view.clone();
    }

    // ('storage', torch.FloatStorage, key, location, numel[, view_metadata])
    private static (string Key, torch.ScalarType DType) StorageOf(object? value) =>
        value is PicklePersistent { Id: ["storage", PickleGlobal type, string key, ..] }
            ? (key, DTypeOf(type))
            : throw new FormatException($"tensor storage is a {Describe(value)}, not a ('storage', type, key, ...) reference");

    private static void Collect(object? value, Dictionary<string, int> elementSizes)
    {
        switch (value)
        {
            case PicklePersistent { Id: ["storage", PickleGlobal type, string key, ..] }:
                elementSizes[key] = ElementSize(DTypeOf(type));
                break;
            case PickleCall call:
                foreach (var argument in call.Arguments) Collect(argument, elementSizes);
                break;
            case PickleDict dict:
                foreach (var item in dict.Items) Collect(item.Value, elementSizes);
                break;
            case object?[] tuple:
                foreach (var item in tuple) Collect(item, elementSizes);
                break;
        }
    }

    private static torch.ScalarType DTypeOf(PickleGlobal storage) => storage.Name switch
    {
        "FloatStorage" => torch.ScalarType.Float32,
        "DoubleStorage" => torch.ScalarType.Float64,
        "HalfStorage" => torch.ScalarType.Float16,
        "BFloat16Storage" => torch.ScalarType.BFloat16,
        "LongStorage" => torch.ScalarType.Int64,
        "IntStorage" => torch.ScalarType.Int32,
        "ShortStorage" => torch.ScalarType.Int16,
        "CharStorage" => torch.ScalarType.Int8,
        "ByteStorage" => torch.ScalarType.Byte,
        "BoolStorage" => torch.ScalarType.Bool,
        _ => throw new FormatException($"storage type {storage} is not supported"),
    };

    private static int ElementSize(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        _ => 1,
    };

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleDict d => d.Type,
        PickleCall c => $"{c.Function}(...)",
        PickleGlobal g => g.ToString(),
        object?[] => "tuple",
        _ => value.GetType().Name,
    };

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return ReadAll(stream);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

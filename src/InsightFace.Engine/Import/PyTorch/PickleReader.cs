using System.Buffers.Binary;
using System.Text;

namespace InsightFace.Engine.Import.PyTorch;

/// <summary>A Python global (<c>module.name</c>) referenced by a pickle.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>The result of calling a global with arguments (REDUCE): interpreted later by the state dict reader.</summary>
internal sealed record PickleCall(PickleGlobal Function, object?[] Arguments);

/// <summary>A dict in the order its items were set; <see cref="Type"/> says whether it was a dict or an OrderedDict.</summary>
internal sealed class PickleDict(string type)
{
    public string Type { get; } = type;

    public List<KeyValuePair<object?, object?>> Items { get; } = [];
}

/// <summary>A persistent id (BINPERSID) handed back as-is: PyTorch's storage reference tuple.</summary>
internal sealed record PicklePersistent(object?[] Id);

/// <summary>
/// The subset of Python's pickle machine (protocols 2 to 5) that <c>torch.save</c> of a state dict uses: strings,
/// ints, floats, tuples, lists, dicts, globals, REDUCE, BUILD and persistent ids. It builds plain data and
/// never runs code; anything else fails with the opcode and its offset.
/// </summary>
internal sealed class PickleReader(byte[] data, string source)
{
    private static readonly object Mark = new();

    private readonly Dictionary<long, object?> _memo = [];
    private readonly List<object?> _stack = [];

    public int Position { get; set; }

    /// <summary>Reads one pickle starting at <see cref="Position"/>, leaving it just after STOP.</summary>
    public object? Load()
    {
        _memo.Clear();
        _stack.Clear();
        while (true)
        {
            var offset = Position;
            var op = Byte();
            switch (op)
            {
                case 0x80: Byte(); break; // PROTO
                case 0x95: Skip(8); break; // FRAME
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': _stack.Add(Mark); break;
                case (byte)'N': _stack.Add(null); break;
                case 0x88: _stack.Add(true); break;
                case 0x89: _stack.Add(false); break;
                case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case (byte)'K': _stack.Add((long)Byte()); break;
                case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case 0x8a: _stack.Add(Long(Byte())); break; // LONG1
                case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
                case (byte)'X': _stack.Add(Encoding.UTF8.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break;
                case 0x8c: _stack.Add(Encoding.UTF8.GetString(Take(Byte()))); break;
                case 0x8d: _stack.Add(Encoding.UTF8.GetString(Take(checked((int)BinaryPrimitives.ReadInt64LittleEndian(Take(8)))))); break;
                case (byte)'T': _stack.Add(Encoding.Latin1.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break;
                case (byte)'U': _stack.Add(Encoding.Latin1.GetString(Take(Byte()))); break;
                case (byte)')': _stack.Add(Array.Empty<object?>()); break;
                case (byte)'t': _stack.Add(PopToMark().ToArray()); break;
                case 0x85: _stack.Add(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b, c }); break; }
                case (byte)']': _stack.Add(new List<object?>()); break;
                case (byte)'}': _stack.Add(new PickleDict("dict")); break;
                case (byte)'a': { var item = Pop(); List(Peek(), offset).Add(item); break; }
                case (byte)'e': { var items = PopToMark(); List(Peek(), offset).AddRange(items); break; }
                case (byte)'s': { var value = Pop(); var key = Pop(); Dict(Peek(), offset).Items.Add(new(key, value)); break; }
                case (byte)'u':
                {
                    var items = PopToMark();
                    var dict = Dict(Peek(), offset);
                    for (var i = 0; i + 1 < items.Count; i += 2) dict.Items.Add(new(items[i], items[i + 1]));
                    break;
                }
                case (byte)'c': _stack.Add(new PickleGlobal(Line(), Line())); break;
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; _stack.Add(new PickleGlobal(module, name)); break; }
                case (byte)'R': { var args = (object?[])Pop()!; _stack.Add(Reduce((PickleGlobal)Pop()!, args)); break; }
                case 0x81: { var args = (object?[])Pop()!; _stack.Add(Reduce((PickleGlobal)Pop()!, args)); break; } // NEWOBJ
                case (byte)'b': Pop(); break; // BUILD: the only state torch.save sets is an OrderedDict's _metadata
                case (byte)'Q': _stack.Add(new PicklePersistent((object?[])Pop()!)); break;
                case (byte)'q': _memo[Byte()] = Peek(); break;
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': _stack.Add(Memo(Byte(), offset)); break;
                case (byte)'j': _stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), offset)); break;
                default:
                    throw new FormatException($"{source}: unsupported pickle opcode 0x{op:X2} ('{(char)op}') at offset {offset}");
            }
        }
    }

    // Dicts are built empty and filled by SETITEMS, so calling OrderedDict() just makes an empty ordered dict.
    private static object Reduce(PickleGlobal function, object?[] args) =>
        function is { Module: "collections", Name: "OrderedDict" } && args.Length == 0
            ? new PickleDict("OrderedDict")
            : new PickleCall(function, args);

    private object? Memo(long key, int offset) =>
        _memo.TryGetValue(key, out var value) ? value : throw new FormatException($"{source}: memo key {key} read before it was set, at offset {offset}");

    private static List<object?> List(object? target, int offset) =>
        target as List<object?> ?? throw new FormatException($"APPEND to a {target?.GetType().Name ?? "None"} at offset {offset}");

    private PickleDict Dict(object? target, int offset) =>
        target as PickleDict ?? throw new FormatException($"{source}: SETITEM on a {target?.GetType().Name ?? "None"} at offset {offset}");

    private object Long(int length)
    {
        // Only the legacy format's magic number is this long.
        if (length > 8) return new System.Numerics.BigInteger(Take(length), isUnsigned: false, isBigEndian: false);
        Span<byte> bytes = stackalloc byte[8];
        var raw = Take(length);
        raw.CopyTo(bytes);
        if (length > 0 && (raw[^1] & 0x80) != 0) bytes[length..].Fill(0xFF);
        return BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    private string Line()
    {
        var end = Array.IndexOf(data, (byte)'\n', Position);
        if (end < 0) throw new FormatException($"{source}: unterminated GLOBAL at offset {Position}");
        var text = Encoding.ASCII.GetString(data, Position, end - Position);
        Position = end + 1;
        return text;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw new FormatException($"{source}: pickle stack empty at offset {Position}");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopToMark()
    {
        var mark = _stack.LastIndexOf(Mark);
        if (mark < 0) throw new FormatException($"{source}: no MARK before offset {Position}");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte Byte() => Take(1)[0];

    private void Skip(int count) => Take(count);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > data.Length - Position)
            throw new FormatException($"{source}: truncated at offset {Position} (needs {count} more bytes)");
        var span = new ReadOnlySpan<byte>(data, Position, count);
        Position += count;
        return span;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace InsightFace.Engine.Tests.Data.Verification;

/// <summary>Writes pickle opcodes by hand, so tests can hold the flavours Python 2 and numpy write without Python.</summary>
internal sealed class PickleOps
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public PickleOps Op(char opcode) { _bytes.Add((byte)opcode); return this; }
    public PickleOps Op(byte opcode) { _bytes.Add(opcode); return this; }
    public PickleOps Proto(byte version) => Op(0x80).Op(version);
    public PickleOps Mark() => Op('(');
    public PickleOps EmptyList() => Op(']');
    public PickleOps Appends() => Op('e');
    public PickleOps Tuple() => Op('t');
    public PickleOps Tuple1() => Op(0x85);
    public PickleOps Tuple2() => Op(0x86);
    public PickleOps Tuple3() => Op(0x87);
    public PickleOps Reduce() => Op('R');
    public PickleOps Build() => Op('b');
    public PickleOps None() => Op('N');
    public PickleOps True() => Op(0x88);
    public PickleOps False() => Op(0x89);
    public PickleOps Stop() => Op('.');
    public PickleOps BinInt1(byte value) => Op('K').Op(value);

    public PickleOps BinInt(int value)
    {
        Op('J');
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>GLOBAL 'module name' (protocols 0–3).</summary>
    public PickleOps Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    /// <summary>STACK_GLOBAL of two short unicode strings (protocol 4+).</summary>
    public PickleOps StackGlobal(string module, string name) => ShortUnicode(module).ShortUnicode(name).Op(0x93);

    /// <summary>A Python 2 str: SHORT_BINSTRING below 256 bytes, otherwise BINSTRING.</summary>
    public PickleOps Py2Str(byte[] data) => data.Length < 256
        ? Op('U').Op((byte)data.Length).Raw(data)
        : Op('T').Length32(data.Length).Raw(data);

    /// <summary>Python 3 bytes: SHORT_BINBYTES below 256 bytes, otherwise BINBYTES.</summary>
    public PickleOps Bytes(byte[] data) => data.Length < 256
        ? Op('C').Op((byte)data.Length).Raw(data)
        : Op('B').Length32(data.Length).Raw(data);

    public PickleOps ShortUnicode(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        return Op(0x8C).Op((byte)utf8.Length).Raw(utf8);
    }

    /// <summary>A numpy dtype as numpy pickles it: dtype(name, False, True) then BUILD with its state.</summary>
    public PickleOps Dtype(string name, bool py2)
    {
        Global("numpy", "dtype");
        if (py2) Py2Str(Encoding.ASCII.GetBytes(name)).BinInt1(0).BinInt1(1);
        else ShortUnicode(name).False().True();
        Tuple3().Reduce();
        Mark().BinInt1(3);
        if (py2) Py2Str("|"u8.ToArray()); else ShortUnicode("|");
        return None().None().None().BinInt(-1).BinInt(-1).BinInt1(0).Tuple().Build();
    }

    /// <summary>
    /// <c>_reconstruct(ndarray, (0,), b'b')</c> then BUILD with <c>(1, (n, 1), dtype, False, raw)</c>: how numpy 1.x
    /// pickles an array at protocols 2–4; <paramref name="py2"/> writes the strings as Python 2 does.
    /// </summary>
    public PickleOps NumpyArray(byte[] raw, string dtype, bool py2)
    {
        Global("numpy.core.multiarray", "_reconstruct").Global("numpy", "ndarray").BinInt1(0).Tuple1();
        if (py2) Py2Str("b"u8.ToArray()); else Bytes("b"u8.ToArray());
        Tuple3().Reduce();
        Mark().BinInt1(1).BinInt(raw.Length).BinInt1(1).Tuple2().Dtype(dtype, py2).False();
        if (py2) Py2Str(raw); else Bytes(raw);
        return Tuple().Build();
    }

    /// <summary><c>numpy._core.numeric._frombuffer(raw, dtype, (n, 1), 'C')</c>: numpy 2.x at protocol 5.</summary>
    public PickleOps NumpyFromBuffer(byte[] raw)
    {
        StackGlobal("numpy._core.numeric", "_frombuffer").Mark().Bytes(raw);
        StackGlobal("numpy", "dtype").ShortUnicode("u1").False().True().Tuple3().Reduce();
        Mark().BinInt1(3).ShortUnicode("|").None().None().None().BinInt(-1).BinInt(-1).BinInt1(0).Tuple().Build();
        return BinInt(raw.Length).BinInt1(1).Tuple2().ShortUnicode("C").Tuple().Reduce();
    }

    private PickleOps Length32(int length)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, length);
        return Raw(b.ToArray());
    }

    private PickleOps Raw(byte[] data) { _bytes.AddRange(data); return this; }
}

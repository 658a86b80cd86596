using InsightFace.Engine.Import.Mxnet;

namespace InsightFace.Engine.Tests.Import.Mxnet;

/// <summary>
/// Test-only writer of MXNet NDArray lists, following MXNet's <c>NDArray::Save</c> byte for byte
/// (formats.md §4.1), so tests can make V1/V2/V3/legacy files and InsightFace-named checkpoints.
/// </summary>
public static class NDArrayListWriter
{
    public enum Encoding { Legacy, V1, V2, V3 }

    public static byte[] Write(IReadOnlyList<(string Name, long[] Shape, float[] Values)> arrays, Encoding encoding = Encoding.V2, bool withNames = true,
        MxnetDType dtype = MxnetDType.Float32)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(0x112UL);
        w.Write(0UL);
        w.Write((ulong)arrays.Count);
        foreach (var (_, shape, values) in arrays)
        {
            switch (encoding)
            {
                case Encoding.Legacy:
                    w.Write((uint)shape.Length);
                    foreach (var d in shape) w.Write((uint)d);
                    break;
                case Encoding.V1:
                    w.Write(0xF993FAC8u);
                    WriteShape(w, shape);
                    break;
                default:
                    w.Write(encoding == Encoding.V2 ? 0xF993FAC9u : 0xF993FACAu);
                    w.Write(0); // dense storage
                    WriteShape(w, shape);
                    break;
            }
            w.Write(1); // cpu
            w.Write(0);
            w.Write((int)dtype);
            foreach (var v in values)
            {
                if (dtype == MxnetDType.Float64) w.Write((double)v);
                else if (dtype == MxnetDType.Float16) w.Write((Half)v);
                else w.Write(v);
            }
        }
        w.Write(withNames ? (ulong)arrays.Count : 0UL);
        if (withNames)
            foreach (var (name, _, _) in arrays)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(name);
                w.Write((ulong)bytes.Length);
                w.Write(bytes);
            }
        w.Flush();
        return stream.ToArray();
    }

    private static void WriteShape(BinaryWriter w, long[] shape)
    {
        w.Write(shape.Length);
        foreach (var d in shape) w.Write(d);
    }
}

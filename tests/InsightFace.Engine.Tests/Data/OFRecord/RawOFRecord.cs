using System.Buffers.Binary;
using Google.Protobuf;
using InsightFace.Engine.Data.OFRecord.Proto;
using OFRecordMessage = InsightFace.Engine.Data.OFRecord.Proto.OFRecord;

namespace InsightFace.Engine.Tests.Data.OFRecord;

/// <summary>
/// Reads and writes part files with the protobuf classes generated from record.proto and the framing of
/// formats.md §1.2, independently of the engine's reader, writer and hand-written encoder.
/// </summary>
internal static class RawOFRecord
{
    /// <summary>Every record of a part: int64 LE length, then ParseFrom; asserts nothing is left over.</summary>
    public static List<(byte[] Body, OFRecordMessage Record)> ReadPart(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<(byte[], OFRecordMessage)>();
        var at = 0;
        while (at < bytes.Length)
        {
            var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            var body = bytes.AsSpan(at + 8, length).ToArray();
            records.Add((body, OFRecordMessage.Parser.ParseFrom(body)));
            at += 8 + length;
        }
        Assert.Equal(bytes.Length, at);
        return records;
    }

    /// <summary>The face record OneFlow's converters write, built with the generated classes.</summary>
    public static OFRecordMessage Face(byte[] image, int label)
    {
        var record = new OFRecordMessage();
        record.Feature.Add("encoded", new Feature { BytesList = new BytesList { Value = { ByteString.CopyFrom(image) } } });
        record.Feature.Add("label", new Feature { Int32List = new Int32List { Value = { label } } });
        return record;
    }

    /// <summary>Frames records as a part file: int64 LE length + serialized bytes.</summary>
    public static void WritePart(string path, params IMessage[] records)
    {
        using var file = File.Create(path);
        foreach (var record in records)
        {
            var body = record.ToByteArray();
            var length = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, body.Length);
            file.Write(length);
            file.Write(body);
        }
    }
}

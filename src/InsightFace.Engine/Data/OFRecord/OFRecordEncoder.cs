using System.Buffers.Binary;
using System.Text;

namespace InsightFace.Engine.Data.OFRecord;

/// <summary>
/// Encodes a face record exactly as OneFlow's face converters do, without building protobuf objects: an int64
/// little-endian length, then <c>OFRecord{ feature: {"encoded": bytes_list[image], "label": int32_list[label]} }</c>
/// with the map entries in key order (as Python protobuf writes them) and the int32 list packed.
/// </summary>
internal static class OFRecordEncoder
{
    private const byte FieldOneLengthDelimited = 0x0A; // field 1, wire type 2
    private const byte FieldTwoLengthDelimited = 0x12; // field 2, wire type 2
    private const byte Int32ListField = 0x22;          // Feature.int32_list, field 4, wire type 2
    private static readonly byte[] ImageKey = Encoding.ASCII.GetBytes(OFRecordDataset.DefaultImageKey);
    private static readonly byte[] LabelKey = Encoding.ASCII.GetBytes(OFRecordDataset.DefaultLabelKey);

    /// <summary>The bytes <see cref="Encode"/> writes, length prefix included.</summary>
    public static int FramedLength(int imageLength, int label) => 8 + Layout(imageLength, label).Record;

    /// <summary>Writes the framed record into <paramref name="destination"/> and returns the bytes written.</summary>
    public static int Encode(Span<byte> destination, ReadOnlySpan<byte> image, int label)
    {
        var l = Layout(image.Length, label);
        BinaryPrimitives.WriteInt64LittleEndian(destination, l.Record);
        var at = 8;

        // feature["encoded"] = Feature{ bytes_list = BytesList{ value = [image] } }
        at = Tag(destination, at, FieldOneLengthDelimited, l.ImageEntry);
        at = Bytes(destination, at, FieldOneLengthDelimited, ImageKey);
        at = Tag(destination, at, FieldTwoLengthDelimited, l.ImageFeature);
        at = Tag(destination, at, FieldOneLengthDelimited, l.BytesList);
        at = Bytes(destination, at, FieldOneLengthDelimited, image);

        // feature["label"] = Feature{ int32_list = Int32List{ value = [label] } } (packed)
        at = Tag(destination, at, FieldOneLengthDelimited, l.LabelEntry);
        at = Bytes(destination, at, FieldOneLengthDelimited, LabelKey);
        at = Tag(destination, at, FieldTwoLengthDelimited, l.LabelFeature);
        at = Tag(destination, at, Int32ListField, l.Int32List);
        at = Tag(destination, at, FieldOneLengthDelimited, l.PackedLabel);
        return Varint(destination, at, (ulong)(long)label);
    }

    private static (int Record, int ImageEntry, int ImageFeature, int BytesList, int LabelEntry, int LabelFeature, int Int32List, int PackedLabel)
        Layout(int imageLength, int label)
    {
        var bytesList = Field(imageLength);
        var imageFeature = Field(bytesList);
        var imageEntry = Field(ImageKey.Length) + Field(imageFeature);
        // int32 is encoded as a sign-extended 64-bit varint, so a negative label takes 10 bytes.
        var packedLabel = VarintLength((ulong)(long)label);
        var int32List = Field(packedLabel);
        var labelFeature = Field(int32List);
        var labelEntry = Field(LabelKey.Length) + Field(labelFeature);
        return (Field(imageEntry) + Field(labelEntry), imageEntry, imageFeature, bytesList, labelEntry, labelFeature, int32List, packedLabel);
    }

    /// <summary>The size of a length-delimited field with a one-byte tag and a <paramref name="length"/>-byte body.</summary>
    private static int Field(int length) => 1 + VarintLength((ulong)length) + length;

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    private static int Tag(Span<byte> destination, int at, byte tag, int length)
    {
        destination[at] = tag;
        return Varint(destination, at + 1, (ulong)length);
    }

    private static int Bytes(Span<byte> destination, int at, byte tag, ReadOnlySpan<byte> value)
    {
        at = Tag(destination, at, tag, value.Length);
        value.CopyTo(destination[at..]);
        return at + value.Length;
    }

    private static int Varint(Span<byte> destination, int at, ulong value)
    {
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[at++] = (byte)value;
        return at;
    }
}

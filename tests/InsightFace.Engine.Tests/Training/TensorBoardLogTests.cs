using System.Buffers.Binary;
using System.Text;
using InsightFace.Engine.Tests.Data;
using InsightFace.Engine.Training.Logging;

namespace InsightFace.Engine.Tests.Training;

public class TensorBoardLogTests
{
    // CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: independent of any library table.
    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    // TFRecord's mask: rotate right by 15 and add a constant.
    private static uint Masked(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    [Fact]
    public void Crc32c_matches_the_published_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C("123456789"u8)); // RFC 3720 / iSCSI check value
    }

    [Fact]
    public void Event_files_use_tfrecord_framing_with_valid_masked_crcs_and_our_tags()
    {
        using var temp = new TempFolder();
        var folder = temp.Path;
        var log = new TensorBoardLog(folder);
        log.Scalar("loss", 12.5, 10);
        log.Scalar("learning_rate", 0.1, 10);
        log.Scalar("lfw", 0.99, 20);

        var bytes = File.ReadAllBytes(Assert.Single(Directory.GetFiles(folder, "events.out.tfevents.*")));
        var records = new List<byte[]>();
        for (var at = 0; at < bytes.Length;)
        {
            var header = bytes.AsSpan(at, 8);
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(header);
            Assert.Equal(Masked(Crc32C(header)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            var data = bytes.AsSpan(at + 12, length);
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            records.Add(data.ToArray());
            at += 12 + length + 4;
        }

        Assert.Contains(records, r => Encoding.ASCII.GetString(r).Contains("brain.Event:2"));
        foreach (var tag in new[] { "loss", "learning_rate", "lfw" })
            Assert.Contains(records, r => r.AsSpan().IndexOf(Encoding.ASCII.GetBytes(tag)) >= 0);
        var loss = records.Single(r => r.AsSpan().IndexOf("learning_rate"u8) < 0 && r.AsSpan().IndexOf("loss"u8) >= 0);
        Assert.True(loss.AsSpan().IndexOf(BitConverter.GetBytes(12.5f)) >= 0, "the scalar's float value is in the event");
    }
}

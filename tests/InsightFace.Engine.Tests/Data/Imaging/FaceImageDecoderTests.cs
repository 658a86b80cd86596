using InsightFace.Engine.Data.Imaging;
using InsightFace.Engine.Tests.Data.Verification;
using InsightFace.Engine.Tests.Support;
using SkiaSharp;

namespace InsightFace.Engine.Tests.Data.Imaging;

public class FaceImageDecoderTests
{
    [Fact]
    public void A_png_decodes_to_its_exact_rgb_pixels()
    {
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];

        decoder.DecodeRgb(TestImages.Png(), rgb);

        foreach (var (x, y) in new[] { (0, 0), (111, 0), (5, 77), (111, 111) })
        {
            var (r, g, b) = TestImages.Colour(x, y);
            Assert.Equal([r, g, b], rgb.AsSpan((y * 112 + x) * 3, 3).ToArray());
        }
    }

    [Fact]
    public void Chw_output_is_normalised_per_channel_in_rgb_order_and_mirrors_on_request()
    {
        var decoder = new FaceImageDecoder();
        var chw = new float[decoder.ChwLength];
        var flipped = new float[decoder.ChwLength];
        var png = TestImages.Png();

        decoder.DecodeChw(png, FaceImageTransform.ArcFace, chw, flip: false);
        decoder.DecodeChw(png, FaceImageTransform.ArcFace, flipped, flip: true);

        const int plane = 112 * 112;
        var (r, g, b) = TestImages.Colour(10, 20);
        Assert.Equal((r - 127.5) / 127.5, chw[0 * plane + 20 * 112 + 10], 6);
        Assert.Equal((g - 127.5) / 127.5, chw[1 * plane + 20 * 112 + 10], 6);
        Assert.Equal((b - 127.5) / 127.5, chw[2 * plane + 20 * 112 + 10], 6);
        // Mirrored: output column x holds source column 111 − x.
        Assert.Equal(chw[0 * plane + 20 * 112 + 10], flipped[0 * plane + 20 * 112 + 101]);
        Assert.Equal(chw[2 * plane + 111 * 112 + 0], flipped[2 * plane + 111 * 112 + 111]);
    }

    [Theory]
    // Bit patterns printed by numpy (and, for arcface_torch, by torch 1.13 on a uint8 tensor):
    // ((v / 255) − 0.5) / 0.5 and (v − 127.5) · float32(1 / 127.5), both in float32.
    [InlineData(1, 0xBF7DFDFE, 0xBF7DFDFF)]
    [InlineData(77, 0xBECACACA, 0xBECACACC)]
    [InlineData(128, 0x3B808100, 0x3B808081)]
    [InlineData(200, 0x3F119192, 0x3F119192)]
    [InlineData(254, 0x3F7DFDFE, 0x3F7DFDFF)]
    public void Normalisation_repeats_insightfaces_float32_arithmetic(byte value, uint arcfaceTorch, uint onnxHelper)
    {
        var rgb = Enumerable.Repeat(value, 3).ToArray();
        var chw = new float[3];
        FaceImageTransform.ArcFace.ToChw(rgb, 1, 1, chw, flip: false);
        Assert.Equal(arcfaceTorch, BitConverter.SingleToUInt32Bits(chw[0]));
        new FaceImageTransform(127.5f, 127.5f, ChannelOrder.Rgb).ToChw(rgb, 1, 1, chw, flip: false);
        Assert.Equal(onnxHelper, BitConverter.SingleToUInt32Bits(chw[0]));
    }

    [Theory]
    [InlineData(ChannelOrder.Rgb, false, 112)]
    [InlineData(ChannelOrder.Rgb, true, 112)]
    [InlineData(ChannelOrder.Bgr, true, 13)]
    [InlineData(ChannelOrder.Rgb, true, 7)]
    public void Rgba_pixels_give_the_floats_of_their_rgb_bytes_and_of_insightfaces_arithmetic(ChannelOrder order, bool flip, int width)
    {
        // Every byte value in every channel, at every column (vector groups of 8 and the columns after them), alpha random.
        const int height = 3;
        var random = new Random(5);
        var rgba = new byte[4 * width * height];
        for (var p = 0; p < width * height; p++)
            (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2], rgba[4 * p + 3]) = ((byte)p, (byte)(7 * p + 3), (byte)(13 * p + 5), (byte)random.Next(256));
        var rgb = Enumerable.Range(0, width * height).SelectMany(p => rgba.Skip(4 * p).Take(3)).ToArray();
        var transforms = new (FaceImageTransform Transform, Func<byte, float> Expected)[]
        {
            (new FaceImageTransform(127.5f, 127.5f, order), v => (v - 127.5f) * (float)(1.0 / 127.5)),
            (new FaceImageTransform(0, 1, order), v => v),
        };
        if (order == ChannelOrder.Rgb) transforms = [.. transforms, (FaceImageTransform.ArcFace, v => (v / 255f - 0.5f) / 0.5f)];

        foreach (var (transform, expected) in transforms)
        {
            var fromRgba = new float[3 * width * height];
            var fromRgb = new float[3 * width * height];
            transform.RgbaToChw(rgba, width, height, fromRgba, flip);
            transform.ToChw(rgb, width, height, fromRgb, flip);

            Assert.Equal(fromRgb.Select(BitConverter.SingleToUInt32Bits), fromRgba.Select(BitConverter.SingleToUInt32Bits));
            for (var c = 0; c < 3; c++)
                for (var y = 0; y < height; y++)
                    for (var x = 0; x < width; x++)
                    {
                        var source = (y * width + (flip ? width - 1 - x : x)) * 4 + (order == ChannelOrder.Rgb ? c : 2 - c);
                        Assert.Equal(BitConverter.SingleToUInt32Bits(expected(rgba[source])),
                            BitConverter.SingleToUInt32Bits(fromRgba[(c * height + y) * width + x]));
                    }
        }
    }

    [Fact]
    public void Bgr_order_and_a_custom_mean_and_std_are_applied()
    {
        var decoder = new FaceImageDecoder();
        var chw = new float[decoder.ChwLength];

        decoder.DecodeChw(TestImages.Png(), new FaceImageTransform(0, 1, ChannelOrder.Bgr), chw, flip: false);

        var (r, g, b) = TestImages.Colour(3, 4);
        Assert.Equal(b, chw[0 * 12544 + 4 * 112 + 3]);
        Assert.Equal(g, chw[1 * 12544 + 4 * 112 + 3]);
        Assert.Equal(r, chw[2 * 12544 + 4 * 112 + 3]);
    }

    [Fact]
    public void Another_size_is_resized_to_112()
    {
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];

        decoder.DecodeRgb(TestImages.Png(250, 250, (_, _) => (200, 100, 50)), rgb);

        for (var p = 0; p < rgb.Length; p += 3) Assert.Equal([200, 100, 50], rgb[p..(p + 3)]);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void A_real_jpeg_decodes_like_skias_own_bitmap_decoder()
    {
        var path = FaceFixtures.Image(7, 3);
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];

        decoder.DecodeRgb(File.ReadAllBytes(path), rgb);

        using var reference = SKBitmap.Decode(path);
        Assert.Equal(112, reference.Width);
        for (var y = 0; y < 112; y += 13)
            for (var x = 0; x < 112; x += 11)
            {
                var c = reference.GetPixel(x, y);
                Assert.Equal([c.Red, c.Green, c.Blue], rgb[((y * 112 + x) * 3)..((y * 112 + x) * 3 + 3)]);
            }
    }

    [FixtureFact("mxnet-im2rec-8faces")]
    public void A_colour_face_jpeg_keeps_its_channels_apart()
    {
        var path = Fixtures.Path("mxnet-im2rec-8faces", "faces_webface_112x112", "woman", "woman_3.jpg");
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];
        decoder.DecodeRgb(File.ReadAllBytes(path), rgb);
        Assert.Contains(Enumerable.Range(0, 112 * 112), p => rgb[3 * p] != rgb[3 * p + 2]);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void Jpegs_decode_to_the_pixels_opencv_gives_insightface()
    {
        // Reference values from OpenCV 4.6 cv2.imdecode (BGR reversed to RGB), the decoder behind mxnet's
        // imdecode in arcface_torch and OneFlow's load_bin_cv; all 408 fixture JPEGs matched it exactly.
        (string Path, long Sum, byte[] At50x60, byte[] At0x0, byte[] At111x111)[] references =
        [
            (FaceFixtures.Image(7, 3), 3924012, [205, 205, 205], [48, 48, 48], [63, 63, 63]),
            (Fixtures.Path("mxnet-im2rec-8faces", "faces_webface_112x112", "woman", "woman_3.jpg"), 5524369,
                [237, 187, 178], [51, 46, 43], [31, 32, 37]),
        ];
        var decoder = new FaceImageDecoder();
        var rgb = new byte[decoder.RgbLength];
        foreach (var (path, sum, at50x60, at0x0, at111x111) in references)
        {
            if (!File.Exists(path)) continue;
            decoder.DecodeRgb(File.ReadAllBytes(path), rgb);
            Assert.Equal(sum, rgb.Sum(b => (long)b));
            Assert.Equal(at50x60, rgb[((50 * 112 + 60) * 3)..((50 * 112 + 60) * 3 + 3)]);
            Assert.Equal(at0x0, rgb[..3]);
            Assert.Equal(at111x111, rgb[^3..]);
        }
    }

    [Fact]
    public void Bytes_that_are_not_an_image_fail_with_a_decode_error()
    {
        var decoder = new FaceImageDecoder();
        var e = Assert.Throws<FaceImageDecodeException>(() => decoder.DecodeRgb("not an image"u8, new byte[decoder.RgbLength]));
        Assert.Equal("ImageDecodeFailed", e.ErrorId);
        Assert.Contains("12 bytes", e.Message);
    }

    [FixtureFact(FaceFixtures.Orl)]
    public void A_truncated_jpeg_fails_instead_of_decoding_half_a_face()
    {
        var bytes = File.ReadAllBytes(FaceFixtures.Image(1, 1));
        var decoder = new FaceImageDecoder();
        var e = Assert.Throws<FaceImageDecodeException>(() => decoder.DecodeRgb(bytes.AsSpan(0, bytes.Length / 2), new byte[decoder.RgbLength]));
        Assert.Contains("IncompleteInput", e.Message);
    }

    [Fact]
    public void A_zero_std_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FaceImageTransform(127.5f, 0, ChannelOrder.Rgb));
    }
}

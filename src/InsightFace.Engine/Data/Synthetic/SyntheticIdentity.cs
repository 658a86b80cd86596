using SkiaSharp;

namespace InsightFace.Engine.Data.Synthetic;

/// <summary>
/// The fixed look of one synthetic identity: face shape, skin, eyes, brows, nose, mouth, hair and a few skin
/// marks, all drawn from the seed and the class id. Sizes are fractions of the image side.
/// </summary>
internal sealed class SyntheticIdentity
{
    private readonly SKColor _skin, _hair, _iris, _lips;
    private readonly float _faceWidth, _faceHeight, _eyeY, _eyeSpacing, _eyeRadius, _browTilt, _browLift, _browThickness;
    private readonly float _noseLength, _noseWidth, _mouthY, _mouthWidth, _mouthCurve, _hairLine, _hairSide;
    private readonly (float X, float Y, float Radius, SKColor Color)[] _marks;

    public SyntheticIdentity(long seed, int classId)
    {
        var r = new SplitMix64(seed, classId, 0x1DE47);
        var tone = r.Range(0.25, 1.0);
        _skin = new SKColor((byte)(90 + 150 * tone), (byte)(60 + 130 * tone), (byte)(40 + 110 * tone));
        _hair = Color(ref r, 10, 200);
        _iris = Color(ref r, 20, 160);
        _lips = new SKColor((byte)r.Range(120, 220), (byte)r.Range(40, 110), (byte)r.Range(40, 110));
        _faceWidth = (float)r.Range(0.27, 0.37);
        _faceHeight = (float)r.Range(0.36, 0.45);
        _eyeY = (float)r.Range(-0.10, 0.0);
        _eyeSpacing = (float)r.Range(0.09, 0.15);
        _eyeRadius = (float)r.Range(0.03, 0.055);
        _browTilt = (float)r.Range(-0.05, 0.05);
        _browLift = (float)r.Range(0.05, 0.09);
        _browThickness = (float)r.Range(0.012, 0.035);
        _noseLength = (float)r.Range(0.07, 0.15);
        _noseWidth = (float)r.Range(0.03, 0.07);
        _mouthY = (float)r.Range(0.15, 0.24);
        _mouthWidth = (float)r.Range(0.07, 0.17);
        _mouthCurve = (float)r.Range(-0.05, 0.05);
        _hairLine = (float)r.Range(-0.40, -0.20);
        _hairSide = (float)r.Range(-0.15, 0.15);
        _marks = new (float, float, float, SKColor)[2 + r.NextInt(4)];
        for (var i = 0; i < _marks.Length; i++)
            _marks[i] = ((float)r.Range(-0.22, 0.22), (float)r.Range(-0.2, 0.3), (float)r.Range(0.015, 0.05), Color(ref r, 30, 230));
    }

    /// <summary>Draws the identity centred at the origin of a canvas whose unit is the image side.</summary>
    public void Draw(SKCanvas canvas)
    {
        using var paint = new SKPaint { IsAntialias = true };
        Fill(paint, _hair);
        canvas.DrawOval(_hairSide * 0.3f, _hairLine + 0.12f, _faceWidth * 1.12f, _faceHeight * 0.75f, paint);
        Fill(paint, _skin);
        canvas.DrawOval(0, 0.02f, _faceWidth, _faceHeight, paint);
        foreach (var (x, y, radius, color) in _marks)
        {
            Fill(paint, color.WithAlpha(150));
            canvas.DrawCircle(x, y, radius, paint);
        }
        Fill(paint, _hair);
        canvas.DrawOval(_hairSide, _hairLine, _faceWidth * 0.95f, 0.12f, paint);

        foreach (var side in new[] { -1f, 1f })
        {
            var x = side * _eyeSpacing;
            Fill(paint, SKColors.White);
            canvas.DrawOval(x, _eyeY, _eyeRadius * 1.5f, _eyeRadius, paint);
            Fill(paint, _iris);
            canvas.DrawCircle(x, _eyeY, _eyeRadius * 0.7f, paint);
            Stroke(paint, _hair, _browThickness);
            var browY = _eyeY - _browLift;
            canvas.DrawLine(x - side * _eyeRadius * 1.6f, browY + _browTilt, x + side * _eyeRadius * 1.6f, browY - _browTilt, paint);
        }

        Stroke(paint, _skin.WithRed((byte)(_skin.Red * 0.7)).WithGreen((byte)(_skin.Green * 0.7)).WithBlue((byte)(_skin.Blue * 0.7)), 0.015f);
        canvas.DrawPoints(SKPointMode.Polygon,
            [new SKPoint(0, _eyeY + 0.02f), new SKPoint(-_noseWidth, _eyeY + _noseLength), new SKPoint(_noseWidth, _eyeY + _noseLength)], paint);
        Stroke(paint, _lips, 0.025f);
        canvas.DrawPoints(SKPointMode.Polygon,
            [new SKPoint(-_mouthWidth, _mouthY), new SKPoint(0, _mouthY + _mouthCurve), new SKPoint(_mouthWidth, _mouthY)], paint);
    }

    private static SKColor Color(ref SplitMix64 r, int min, int max) =>
        new((byte)r.Range(min, max), (byte)r.Range(min, max), (byte)r.Range(min, max));

    private static void Fill(SKPaint paint, SKColor color)
    {
        paint.Style = SKPaintStyle.Fill;
        paint.Color = color;
    }

    private static void Stroke(SKPaint paint, SKColor color, float width)
    {
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = width;
        paint.StrokeCap = SKStrokeCap.Round;
        paint.Color = color;
    }
}

using SkiaSharp;

namespace InsightFace.Engine.Plotting;

/// <summary>
/// A framed plot area on a canvas: maps data to pixels and draws the grid, tick labels, axis titles, series and a
/// legend, the parts both the ROC plot and the training curve are made of.
/// </summary>
internal sealed class Axes(SKCanvas canvas, SKRect frame, Axis x, Axis y)
{
    /// <summary>Pixel size of tick labels and legend text.</summary>
    public const float LabelSize = 13;

    /// <summary>Pixel size of axis titles.</summary>
    public const float TitleSize = 15;

    /// <summary>matplotlib's tab10 colours, one per series.</summary>
    public static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xd6, 0x27, 0x28), new(0x2c, 0xa0, 0x2c), new(0xff, 0x7f, 0x0e), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>
    /// How far left of the frame the y title's baseline is: past tick labels of up to 6 characters (0.0005), and the
    /// same on every panel, so that titles line up.
    /// </summary>
    public const float YTitleOffset = 56;

    private const float Gap = 6;

    // Every few pixels along what has been drawn, so that the legend can go where it hides the least.
    private readonly List<SKPoint> _drawn = [];

    /// <summary>The frame, in pixels.</summary>
    public SKRect Frame => frame;

    /// <summary>The pixel of the data point (<paramref name="xValue"/>, <paramref name="yValue"/>).</summary>
    public SKPoint Map(double xValue, double yValue) =>
        new(frame.Left + (float)(x.Fraction(xValue) * frame.Width), frame.Bottom - (float)(y.Fraction(yValue) * frame.Height));

    /// <summary>Draws <paramref name="text"/> with its baseline at <paramref name="baseline"/>, in DejaVu Sans.</summary>
    public static void Text(SKCanvas canvas, string text, float left, float baseline, float size, SKTextAlign align = SKTextAlign.Left)
    {
        using var font = PlotFont.Create(size);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(text, left, baseline, align, font, ink);
    }

    /// <summary>
    /// Grid lines at the ticks, the frame, the tick labels outside it, and the axis titles: x's below the labels,
    /// y's turned on its side <see cref="YTitleOffset"/> left of the frame. A blank title is left out.
    /// </summary>
    public void DrawAxes()
    {
        using var grid = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1 };
        foreach (var (value, _) in x.Ticks) canvas.DrawLine(Map(value, y.Low).X, frame.Top, Map(value, y.Low).X, frame.Bottom, grid);
        foreach (var (value, _) in y.Ticks) canvas.DrawLine(frame.Left, Map(x.Low, value).Y, frame.Right, Map(x.Low, value).Y, grid);
        using var pen = new SKPaint { Color = SKColors.Black, StrokeWidth = 1, Style = SKPaintStyle.Stroke };
        canvas.DrawRect(frame, pen);

        var xLabelBaseline = frame.Bottom + Gap + LabelSize;
        foreach (var (value, label) in x.Ticks)
        {
            var at = Map(value, y.Low).X;
            canvas.DrawLine(at, frame.Bottom, at, frame.Bottom + 4, pen);
            Text(canvas, label, at, xLabelBaseline, LabelSize, SKTextAlign.Center);
        }
        foreach (var (value, label) in y.Ticks)
        {
            var at = Map(x.Low, value).Y;
            canvas.DrawLine(frame.Left - 4, at, frame.Left, at, pen);
            Text(canvas, label, frame.Left - Gap, at + LabelSize * 0.35f, LabelSize, SKTextAlign.Right);
        }

        if (x.Title.Length > 0) Text(canvas, x.Title, frame.MidX, xLabelBaseline + Gap + TitleSize, TitleSize, SKTextAlign.Center);
        if (y.Title.Length > 0)
        {
            var baseline = frame.Left - YTitleOffset;
            canvas.Save();
            canvas.RotateDegrees(-90, baseline, frame.MidY);
            Text(canvas, y.Title, baseline, frame.MidY, TitleSize, SKTextAlign.Center);
            canvas.Restore();
        }
    }

    /// <summary>A line through the points in order, leaving out those that are not finite, with a dot at each point when <paramref name="markers"/>.</summary>
    public void Line(IEnumerable<(double X, double Y)> points, SKColor colour, bool markers)
    {
        var pixels = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => Map(p.X, p.Y)).ToArray();
        using var pen = new SKPaint { Color = colour, StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeJoin = SKStrokeJoin.Round };
        using var dot = new SKPaint { Color = colour, IsAntialias = true, Style = SKPaintStyle.Fill };
        canvas.Save();
        canvas.ClipRect(SKRect.Inflate(frame, 4, 4));
        if (pixels.Length > 1) canvas.DrawPoints(SKPointMode.Polygon, pixels, pen);
        if (markers || pixels.Length == 1)
            foreach (var p in pixels) canvas.DrawCircle(p, 3.5f, dot);
        canvas.Restore();

        for (var i = 0; i < pixels.Length; i++)
        {
            _drawn.Add(pixels[i]);
            if (i == 0) continue;
            var steps = (int)(SKPoint.Distance(pixels[i - 1], pixels[i]) / 4);
            for (var s = 1; s < steps; s++) _drawn.Add(pixels[i - 1] + new SKPoint((pixels[i].X - pixels[i - 1].X) * s / steps, (pixels[i].Y - pixels[i - 1].Y) * s / steps));
        }
    }

    /// <summary>
    /// A legend inside the frame, sized to its text, in the corner where it hides the least of the lines drawn so
    /// far; each entry shows its colour as a line, with a dot when the series has markers.
    /// </summary>
    public SKRect Legend(IReadOnlyList<(string Label, SKColor Colour, bool Marker)> entries)
    {
        using var font = PlotFont.Create(LabelSize);
        const float pad = 8, sample = 24, row = LabelSize + 7;
        var size = new SKSize(pad + sample + Gap + entries.Max(e => font.MeasureText(e.Label)) + pad, pad + entries.Count * row + pad - 7);
        var box = new[]
            {
                new SKPoint(frame.Right - pad - size.Width, frame.Top + pad), new SKPoint(frame.Right - pad - size.Width, frame.Bottom - pad - size.Height),
                new SKPoint(frame.Left + pad, frame.Bottom - pad - size.Height), new SKPoint(frame.Left + pad, frame.Top + pad),
            }
            .Select(corner => SKRect.Create(corner, size))
            .MinBy(candidate => _drawn.Count(candidate.Contains));

        using var fill = new SKPaint { Color = SKColors.White.WithAlpha(235), Style = SKPaintStyle.Fill };
        using var border = new SKPaint { Color = new SKColor(0xaa, 0xaa, 0xaa), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawRect(box, fill);
        canvas.DrawRect(box, border);
        for (var i = 0; i < entries.Count; i++)
        {
            var (label, colour, marker) = entries[i];
            var baseline = box.Top + pad + LabelSize * 0.8f + i * row;
            var middle = baseline - LabelSize * 0.35f;
            using var pen = new SKPaint { Color = colour, StrokeWidth = 2, IsAntialias = true };
            canvas.DrawLine(box.Left + pad, middle, box.Left + pad + sample, middle, pen);
            if (marker) canvas.DrawCircle(box.Left + pad + sample / 2, middle, 3.5f, pen);
            Text(canvas, label, box.Left + pad + sample + Gap, baseline, LabelSize);
        }
        return box;
    }
}

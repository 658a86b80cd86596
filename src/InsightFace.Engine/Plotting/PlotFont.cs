using SkiaSharp;

namespace InsightFace.Engine.Plotting;

/// <summary>
/// DejaVu Sans, laid out beside the engine in Fonts/ with its licence. The dependency-free Skia natives have no
/// fontconfig and find no system font, so the plots load their own and look the same on every machine.
/// </summary>
internal static class PlotFont
{
    private static readonly Lazy<SKTypeface> Face = new(Load);

    /// <summary>Where the font file is: Fonts/DejaVuSans.ttf next to the engine's assembly.</summary>
    public static string FilePath { get; } =
        Path.Combine(Path.GetDirectoryName(typeof(PlotFont).Assembly.Location)!, "Fonts", "DejaVuSans.ttf");

    /// <summary>The typeface, loaded once.</summary>
    public static SKTypeface Typeface => Face.Value;

    /// <summary>A font of <paramref name="size"/> pixels, anti-aliased.</summary>
    public static SKFont Create(float size) => new(Face.Value, size) { Edging = SKFontEdging.Antialias, Subpixel = true };

    private static SKTypeface Load() =>
        SKTypeface.FromFile(FilePath)
        ?? throw new FileNotFoundException($"The plot font {FilePath} is missing or unreadable; reinstall the module.", FilePath);
}

using InsightFace.Engine.Plotting;

namespace InsightFace.Engine.Tests.Plotting;

public class PlotFontTests
{
    [Fact]
    public void The_font_is_DejaVu_Sans_from_the_module_with_its_licence_beside_it()
    {
        // Loaded from its file, not looked up: the dependency-free Skia natives have no fontconfig to find one.
        Assert.Equal("DejaVu Sans", PlotFont.Typeface.FamilyName);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(typeof(PlotFont).Assembly.Location)!, "Fonts", "DejaVuSans.ttf"), PlotFont.FilePath);
        Assert.Contains("Bitstream Vera Fonts Copyright", File.ReadAllText(Path.Combine(Path.GetDirectoryName(PlotFont.FilePath)!, "LICENSE.txt")));
    }

    [Fact]
    public void It_has_a_glyph_for_every_character_the_plots_write()
    {
        using var font = PlotFont.Create(13);
        Assert.True(font.ContainsGlyphs("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-+_()[]%@=/ ±…⁰¹²³⁴⁵⁶⁷⁸⁹⁻"));
    }
}

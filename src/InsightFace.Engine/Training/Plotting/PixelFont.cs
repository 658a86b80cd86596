using SkiaSharp;

namespace InsightFace.Engine.Training.Plotting;

/// <summary>
/// A 5×7 pixel font for plot labels. The dependency-free Skia native library ships no fonts and cannot find the
/// system's, so text is drawn as pixels: digits, lower-case letters and the punctuation numbers and tags need.
/// </summary>
internal static class PixelFont
{
    public const int Width = 5;
    public const int Height = 7;

    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['0'] = [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ['1'] = ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['2'] = [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ['3'] = ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ['4'] = ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ['5'] = ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ['6'] = ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ['7'] = ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        ['8'] = [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        ['9'] = [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        ['.'] = ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        ['-'] = ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        ['+'] = ["     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "],
        ['_'] = ["     ", "     ", "     ", "     ", "     ", "     ", "#####"],
        [':'] = ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ['a'] = ["     ", "     ", " ### ", "    #", " ####", "#   #", " ####"],
        ['b'] = ["#    ", "#    ", "# ## ", "##  #", "#   #", "#   #", "#### "],
        ['c'] = ["     ", "     ", " ### ", "#    ", "#    ", "#   #", " ### "],
        ['d'] = ["    #", "    #", " ## #", "#  ##", "#   #", "#   #", " ####"],
        ['e'] = ["     ", "     ", " ### ", "#   #", "#####", "#    ", " ### "],
        ['f'] = ["  ## ", " #  #", " #   ", "###  ", " #   ", " #   ", " #   "],
        ['g'] = ["     ", " ####", "#   #", "#   #", " ####", "    #", " ### "],
        ['h'] = ["#    ", "#    ", "# ## ", "##  #", "#   #", "#   #", "#   #"],
        ['i'] = ["  #  ", "     ", " ##  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['j'] = ["   # ", "     ", "  ## ", "   # ", "   # ", "#  # ", " ##  "],
        ['k'] = ["#    ", "#    ", "#  # ", "# #  ", "##   ", "# #  ", "#  # "],
        ['l'] = [" ##  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['m'] = ["     ", "     ", "## # ", "# # #", "# # #", "#   #", "#   #"],
        ['n'] = ["     ", "     ", "# ## ", "##  #", "#   #", "#   #", "#   #"],
        ['o'] = ["     ", "     ", " ### ", "#   #", "#   #", "#   #", " ### "],
        ['p'] = ["     ", "     ", "#### ", "#   #", "#### ", "#    ", "#    "],
        ['q'] = ["     ", "     ", " ## #", "#  ##", " ####", "    #", "    #"],
        ['r'] = ["     ", "     ", "# ## ", "##  #", "#    ", "#    ", "#    "],
        ['s'] = ["     ", "     ", " ####", "#    ", " ### ", "    #", "#### "],
        ['t'] = [" #   ", " #   ", "###  ", " #   ", " #   ", " #  #", "  ## "],
        ['u'] = ["     ", "     ", "#   #", "#   #", "#   #", "#  ##", " ## #"],
        ['v'] = ["     ", "     ", "#   #", "#   #", "#   #", " # # ", "  #  "],
        ['w'] = ["     ", "     ", "#   #", "#   #", "# # #", "# # #", " # # "],
        ['x'] = ["     ", "     ", "#   #", " # # ", "  #  ", " # # ", "#   #"],
        ['y'] = ["     ", "     ", "#   #", "#   #", " ####", "    #", " ### "],
        ['z'] = ["     ", "     ", "#####", "   # ", "  #  ", " #   ", "#####"],
    };

    /// <summary>Width in pixels of <paramref name="text"/> at <paramref name="scale"/>.</summary>
    public static float Measure(string text, float scale) => text.Length * (Width + 1) * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y).</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, float scale, SKPaint paint)
    {
        foreach (var c in text.ToLowerInvariant())
        {
            if (Glyphs.TryGetValue(c, out var rows))
                for (var row = 0; row < Height; row++)
                for (var column = 0; column < Width; column++)
                    if (rows[row][column] == '#')
                        canvas.DrawRect(x + column * scale, y + row * scale, scale, scale, paint);
            x += (Width + 1) * scale;
        }
    }
}

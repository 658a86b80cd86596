using System.Collections;
using System.Globalization;

namespace InsightFace.Engine.Configuration;

/// <summary>A resolved value and where it came from (a file and line, -Set, a parameter, or the default).</summary>
/// <param name="Value">The value in its canonical type (string, long, double, bool, double[], string[]), or null.</param>
/// <param name="Origin">Where it was set.</param>
public sealed record ConfigValue(object? Value, string Origin)
{
    /// <summary>Converts a raw value (YAML text, or a PowerShell number, bool, string or array) to the key's type.</summary>
    public static object? Convert(ConfigKey key, object? raw, string origin)
    {
        if (raw is null || raw is string { Length: 0 } || raw is "null" or "~") return null;
        try
        {
            return key.Kind switch
            {
                ConfigKind.Text => raw is string s ? s : throw Mismatch(),
                ConfigKind.Integer => ToInteger(raw),
                ConfigKind.Number => ToNumber(raw),
                ConfigKind.Boolean => ToBoolean(raw),
                ConfigKind.NumberList => Items(raw).Select(ToNumber).ToArray(),
                ConfigKind.TextList => Items(raw).Select(i => i as string ?? throw Mismatch()).ToArray(),
                _ => throw new ArgumentOutOfRangeException(nameof(key)),
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            throw new ConfigException(ErrorIds.ConfigValueInvalid,
                $"{origin}: '{key.Name}' = '{Show(raw)}' is not {Article(key.Kind)} ({key.Description}).", key.Name, e);
        }
    }

    /// <summary>Formats a value the way a YAML file would hold it.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };

    private static long ToInteger(object raw) => raw switch
    {
        int i => i,
        long l => l,
        double d when d == Math.Floor(d) => (long)d,
        string s => long.Parse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => throw Mismatch(),
    };

    private static double ToNumber(object? raw) => raw switch
    {
        int i => i,
        long l => l,
        double d => d,
        float f => f,
        decimal m => (double)m,
        string s => double.Parse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw Mismatch(),
    };

    private static bool ToBoolean(object raw) => raw switch
    {
        bool b => b,
        string s when s.Trim().ToLowerInvariant() is "true" or "yes" or "on" => true,
        string s when s.Trim().ToLowerInvariant() is "false" or "no" or "off" => false,
        _ => throw Mismatch(),
    };

    // A list from YAML or PowerShell, or the Python tuple text arcface_torch configs use: "(1.0, 0.5, 0.0)".
    private static IEnumerable<object?> Items(object raw) => raw switch
    {
        string s => s.Trim().Trim('(', ')', '[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => (object?)p.Trim('\'', '"')),
        IEnumerable items => items.Cast<object?>(),
        _ => new[] { raw },
    };

    private static InvalidCastException Mismatch() => new("type mismatch");

    private static string Article(ConfigKind kind) => kind switch
    {
        ConfigKind.Integer => "an integer",
        ConfigKind.Number => "a number",
        ConfigKind.Boolean => "true or false",
        ConfigKind.NumberList => "a list of numbers",
        ConfigKind.TextList => "a list of names",
        _ => "a string",
    };
}

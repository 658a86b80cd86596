using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace InsightFace.Engine.Configuration;

/// <summary>
/// Reads one YAML config file into raw key/value pairs (with line numbers), and follows its base: chain. Every error
/// in a file's YAML or layout names the file, line and column.
/// </summary>
public static class YamlConfigFile
{
    /// <summary>The key that names a parent config, relative to the file that names it.</summary>
    public const string BaseKey = "base";

    /// <summary>
    /// The layers of <paramref name="path"/>'s base: chain, outermost base first and the file itself last. Each layer
    /// maps a key to its raw value (string or list of strings) and its origin ("file:line").
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, (object? Raw, string Origin)>> ReadChain(string path)
    {
        var layers = new List<IReadOnlyDictionary<string, (object? Raw, string Origin)>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? namedBy = null;
        for (var current = Path.GetFullPath(path); current is not null;)
        {
            if (!seen.Add(current))
                throw new ConfigException(ErrorIds.ConfigBaseCycle, $"{current}: the base: chain comes back to this file.", BaseKey);
            var (values, parent) = Read(current, namedBy);
            layers.Insert(0, values);
            namedBy = current;
            current = parent is null ? null : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, parent));
        }
        return layers;
    }

    private static (Dictionary<string, (object? Raw, string Origin)> Values, string? Base) Read(string path, string? namedBy)
    {
        var named = namedBy is null ? "" : $" (the base: of {namedBy})";
        if (!File.Exists(path))
            throw new ConfigException(ErrorIds.ConfigFileNotFound, $"Config file '{path}'{named} does not exist.");

        var values = new Dictionary<string, (object? Raw, string Origin)>(StringComparer.Ordinal);
        if (Load(path, named) is not { } root) return (values, null);

        string? parent = null;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                throw Invalid(path, keyNode.Start, named, "expected a key name (a plain word such as lr) here");
            var origin = $"{path}:{keyNode.Start.Line}";
            var raw = valueNode switch
            {
                YamlScalarNode scalar => scalar.Style is ScalarStyle.Plain && scalar.Value is "null" or "~" ? null : (object?)scalar.Value,
                YamlSequenceNode sequence => sequence.Children.Select(c => c is YamlScalarNode item
                    ? item.Value
                    : throw new ConfigException(ErrorIds.ConfigValueInvalid,
                        $"{Where(path, c.Start)}{named}: '{key}' must be a value or a list of values, not a list of lists or mappings.", key)).ToArray(),
                _ => throw new ConfigException(ErrorIds.ConfigValueInvalid,
                    $"{Where(path, valueNode.Start)}{named}: '{key}' must be a value or a list, not a mapping.", key),
            };
            if (key == BaseKey) parent = raw as string;
            else values[key] = (raw, origin);
        }
        return (values, parent);
    }

    /// <summary>The file's one document, as a mapping; null for an empty file.</summary>
    private static YamlMappingNode? Load(string path, string named)
    {
        using var reader = new StreamReader(path);
        var scanner = new Scanner(reader);
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw Invalid(path, e.Start, named, $"not valid YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 18 throws this, without a position, when a flow list or mapping ([ or {) is left open before
            // the next key; the scanner stopped where it could not go on.
            throw Invalid(path, scanner.CurrentPosition, named, "not valid YAML: a '[' list or '{' mapping opened before this point is not closed", e);
        }

        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
            throw Invalid(path, stream.Documents[1].RootNode.Start, named, "a second YAML document (after ---); a config is one mapping of keys to values");
        var root = stream.Documents[0].RootNode;
        return root as YamlMappingNode ?? throw Invalid(path, root.Start, named, "expected a mapping of keys to values at the top level");
    }

    private static ConfigException Invalid(string path, Mark at, string named, string problem, Exception? inner = null) =>
        new(ErrorIds.ConfigFileInvalid, $"{Where(path, at)}{named}: {problem.TrimEnd('.')}.", inner: inner);

    private static string Where(string path, Mark at) => $"{path}:{at.Line}:{at.Column}";
}

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace InsightFace.Engine.Configuration;

/// <summary>Reads one YAML config file into raw key/value pairs (with line numbers), and follows its base: chain.</summary>
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
        for (var current = Path.GetFullPath(path); current is not null;)
        {
            if (!seen.Add(current))
                throw new ConfigException(ErrorIds.ConfigBaseCycle, $"{current}: the base: chain comes back to this file.", BaseKey);
            var (values, parent) = Read(current);
            layers.Insert(0, values);
            current = parent is null ? null : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, parent));
        }
        return layers;
    }

    private static (Dictionary<string, (object? Raw, string Origin)> Values, string? Base) Read(string path)
    {
        if (!File.Exists(path))
            throw new ConfigException(ErrorIds.ConfigFileNotFound, $"Config file '{path}' does not exist.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigException(ErrorIds.ConfigFileInvalid, $"{path}:{e.Start.Line}: not valid YAML: {e.Message}", inner: e);
        }

        var values = new Dictionary<string, (object? Raw, string Origin)>(StringComparer.Ordinal);
        if (stream.Documents.Count == 0) return (values, null);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException(ErrorIds.ConfigFileInvalid, $"{path}: expected a mapping of keys to values at the top level.");

        string? parent = null;
        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var origin = $"{path}:{keyNode.Start.Line}";
            var raw = valueNode switch
            {
                YamlScalarNode scalar => scalar.Style is ScalarStyle.Plain && scalar.Value is "null" or "~" ? null : (object?)scalar.Value,
                YamlSequenceNode sequence => sequence.Children.Select(c => (c as YamlScalarNode)?.Value).ToArray(),
                _ => throw new ConfigException(ErrorIds.ConfigValueInvalid, $"{origin}: '{key}' must be a value or a list, not a mapping.", key),
            };
            if (key == BaseKey) parent = raw as string;
            else values[key] = (raw, origin);
        }
        return (values, parent);
    }
}

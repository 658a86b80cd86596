using System.Text.Json;

namespace InsightFace.Engine.Import.Mxnet;

/// <summary>Reads MXNet <c>-symbol.json</c> graphs (the <c>nodes</c> list; attributes under <c>attrs</c>, <c>attr</c> or <c>param</c> by MXNet version).</summary>
public static class MxnetSymbolReader
{
    /// <summary>Reads the graph in <paramref name="path"/>.</summary>
    /// <exception cref="MxnetSymbolFormatException">The JSON is not a symbol graph.</exception>
    public static MxnetSymbol Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new MxnetSymbolFormatException(path, $"MXNet symbol file '{path}' is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
                throw new MxnetSymbolFormatException(path, $"MXNet symbol file '{path}' has no 'nodes' array.");

            var list = new List<MxnetSymbolNode>();
            foreach (var node in nodes.EnumerateArray()) list.Add(ReadNode(path, node, list.Count));
            return new MxnetSymbol(path, list, ReadVersion(root));
        }
    }

    private static MxnetSymbolNode ReadNode(string path, JsonElement node, int index)
    {
        string Text(string key) =>
            node.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new MxnetSymbolFormatException(path, $"MXNet symbol file '{path}': node {index} has no string '{key}'.");

        var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { "attrs", "attr", "param" })
            if (node.TryGetProperty(key, out var values) && values.ValueKind == JsonValueKind.Object)
                foreach (var pair in values.EnumerateObject())
                    attrs[pair.Name] = pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : pair.Value.GetRawText();

        var inputs = new List<int>();
        if (node.TryGetProperty("inputs", out var inputList))
            foreach (var input in inputList.EnumerateArray())
            {
                var source = input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 ? input[0] : input;
                if (source.ValueKind != JsonValueKind.Number || source.GetInt32() < 0 || source.GetInt32() >= index)
                    throw new MxnetSymbolFormatException(path,
                        $"MXNet symbol file '{path}': node {index} has input {input.GetRawText()}; expected [node, output, version] naming an earlier node.");
                inputs.Add(source.GetInt32());
            }

        return new MxnetSymbolNode(index, Text("op"), Text("name"), attrs, inputs);
    }

    private static int ReadVersion(JsonElement root) =>
        root.TryGetProperty("attrs", out var attrs) && attrs.TryGetProperty("mxnet_version", out var version)
        && version.ValueKind == JsonValueKind.Array && version.GetArrayLength() == 2 && version[1].ValueKind == JsonValueKind.Number
            ? version[1].GetInt32()
            : 0;
}

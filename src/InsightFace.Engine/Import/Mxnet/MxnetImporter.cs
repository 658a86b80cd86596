namespace InsightFace.Engine.Import.Mxnet;

/// <summary>
/// One call for Import-FaceModel: reads an MXNet checkpoint (<c>prefix-EEEE.params</c> and <c>prefix-symbol.json</c>)
/// and maps it into the backbone its graph is: a fresnet (iresnet) or an fmobilefacenet (mbf).
/// </summary>
public static class MxnetImporter
{
    /// <summary>
    /// Reads <paramref name="paramsPath"/> and its symbol file (by default <c>prefix-symbol.json</c> beside it) and maps them.
    /// </summary>
    /// <exception cref="FileNotFoundException">The symbol file is not there.</exception>
    /// <exception cref="MxnetParamsFormatException">The params file is malformed.</exception>
    /// <exception cref="MxnetSymbolFormatException">The symbol file is malformed.</exception>
    /// <exception cref="MxnetMappingException">The graph is neither network, or the arrays do not fit it.</exception>
    public static MappedBackbone Import(string paramsPath, string? symbolPath = null, double batchNormEps = 1e-5)
    {
        symbolPath ??= SymbolPathFor(paramsPath);
        if (!File.Exists(symbolPath))
            throw new FileNotFoundException($"MXNet symbol file '{symbolPath}' for '{paramsPath}' was not found; pass its path.", symbolPath);
        var symbol = MxnetSymbolReader.Read(symbolPath);
        var arrays = MxnetParamsReader.Read(paramsPath);

        if (symbol.Find("stage1_unit1_conv1") is not null) return FresnetMapper.Map(symbol, arrays, batchNormEps);
        if (symbol.Find("conv_1_conv2d") is not null) return MobileFaceNetMapper.Map(symbol, arrays, batchNormEps);
        throw new MxnetMappingException(ErrorIds.MxnetGraphMismatch, symbol.Source,
            ["network: expected an InsightFace fresnet (node 'stage1_unit1_conv1') or fmobilefacenet (node 'conv_1_conv2d'); the graph has neither"]);
    }

    /// <summary><c>model-0012.params</c> → <c>model-symbol.json</c> in the same folder.</summary>
    public static string SymbolPathFor(string paramsPath)
    {
        var name = Path.GetFileNameWithoutExtension(paramsPath);
        var dash = name.LastIndexOf('-');
        var prefix = dash > 0 ? name[..dash] : name;
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(paramsPath))!, $"{prefix}-symbol.json");
    }
}

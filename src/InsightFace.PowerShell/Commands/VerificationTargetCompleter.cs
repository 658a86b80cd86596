using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace InsightFace.PowerShell.Commands;

/// <summary>
/// Completes -Target with the names of the .bin files in the folders given by -DataPath in the same command, or in
/// the current location when there is none: "l" + Tab gives lfw.
/// </summary>
public sealed class VerificationTargetCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return Folders(fakeBoundParameters)
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.bin"))
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(pattern.IsMatch)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name));
    }

    private static IEnumerable<string> Folders(IDictionary bound)
    {
        var current = CurrentLocation();
        var dataPaths = bound["DataPath"] switch
        {
            string one => new[] { one },
            IEnumerable many => many.Cast<object>().Select(o => o.ToString() ?? ""),
            _ => Array.Empty<string>(),
        };
        return dataPaths.Select(p => Path.GetFullPath(p, current)).Append(current);
    }

    /// <summary>The PowerShell location, asked of the runspace the completion runs in (a nested pipeline).</summary>
    private static string CurrentLocation()
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        var location = shell.AddCommand("Get-Location").Invoke<PathInfo>().FirstOrDefault();
        return location?.Provider.Name == "FileSystem" ? location.ProviderPath : Environment.CurrentDirectory;
    }

    /// <summary>Names with spaces or quotes come back quoted so that the completed command still parses.</summary>
    private static string Quote(string name) =>
        name.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`' or ',' or ';' or '(' or ')' or '{' or '}' or '&' or '@')
            ? "'" + name.Replace("'", "''") + "'"
            : name;
}

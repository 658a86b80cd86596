using System.Reflection;
using System.Text.RegularExpressions;
using InsightFace.Engine.Checkpoints;
using InsightFace.Engine.Tests.Support;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Tests;

public class ErrorIdsTests
{
    private static readonly string AboutPath =
        Path.Combine(Fixtures.RepoRoot, "src", "InsightFace.PowerShell", "en-US", "about_InsightFace.help.txt");

    private static IEnumerable<FieldInfo> IdFields() =>
        typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral);

    [Fact]
    public void Every_engine_exception_derives_from_InsightFaceException()
    {
        var exceptions = typeof(InsightFaceException).Assembly.GetTypes()
            .Where(t => typeof(Exception).IsAssignableFrom(t) && t != typeof(InsightFaceException))
            .ToList();
        Assert.True(exceptions.Count >= 20, $"found only {exceptions.Count} exception types");
        Assert.All(exceptions, t => Assert.True(t.IsSubclassOf(typeof(InsightFaceException)), $"{t.FullName} does not derive from InsightFaceException"));
    }

    [Fact]
    public void Every_id_is_named_as_its_value_and_has_a_kind()
    {
        Assert.All(IdFields(), f =>
        {
            Assert.Equal(f.Name, f.GetRawConstantValue());
            Assert.NotNull(f.GetCustomAttribute<ErrorKindAttribute>());
        });
        Assert.Equal(IdFields().Count(), ErrorIds.All.Count);
    }

    [Fact]
    public void Every_id_is_documented_in_about_InsightFace_with_its_category_and_meaning()
    {
        var lines = File.ReadAllLines(AboutPath);
        var missing = new List<string>();
        foreach (var id in ErrorIds.All)
        {
            var entry = Array.FindIndex(lines, l => l.Trim() == $"{id} ({ErrorIds.KindOf(id)})");
            if (entry < 0 || entry + 1 >= lines.Length || lines[entry + 1].Trim().Length == 0) missing.Add($"{id} ({ErrorIds.KindOf(id)})");
        }
        Assert.True(missing.Count == 0, $"not documented in {AboutPath} as 'Id (Kind)' followed by its meaning:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void Ids_thrown_with_a_literal_in_the_source_are_listed()
    {
        // New ids arrive as literals (new TrainingException("SomeNewId", ...)); this names any that still need their line in ErrorIds.
        var literal = new Regex(@"new\s+\w*Exception\(\s*""(?<id>[A-Z][A-Za-z0-9]+)""");
        var unlisted = Directory.EnumerateFiles(Path.Combine(Fixtures.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => literal.Matches(File.ReadAllText(file)).Select(m => (Id: m.Groups["id"].Value, File: Path.GetFileName(file))))
            .Where(x => !ErrorIds.All.Contains(x.Id))
            .Select(x => $"{x.Id} ({x.File})")
            .Distinct()
            .ToList();
        Assert.True(unlisted.Count == 0, "ids missing from ErrorIds: " + string.Join(", ", unlisted));
    }

    [Fact]
    public void An_exception_takes_its_kind_from_its_id()
    {
        Assert.Equal(ErrorKind.ObjectNotFound, new CheckpointException(ErrorIds.CheckpointNotFound, "x", "m").Kind);
        Assert.Equal(ErrorKind.ResourceExists, new CheckpointException(ErrorIds.CheckpointExists, "x", "m").Kind);
        Assert.Equal(ErrorKind.InvalidOperation, new TrainingException("NotYetListed", "m").Kind);
    }
}

namespace InsightFace.Engine.Tests.Support;

/// <summary>Finds the files written by the real tools in ../shared/fixtures.</summary>
public static class Fixtures
{
    /// <summary>Set by .ci/run: a missing fixture is then a failure, not a skip.</summary>
    public const string RequireVariable = "INSIGHTFACE_REQUIRE_FIXTURES";

    /// <summary>The repository root (the folder holding InsightFace.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shared fixtures folder; INSIGHTFACE_FIXTURES overrides the default beside the clone.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("INSIGHTFACE_FIXTURES") is { Length: > 0 } custom
            ? custom
            : System.IO.Path.GetFullPath(System.IO.Path.Combine(RepoRoot, "..", "shared", "fixtures"));

    /// <summary>True when fixtures must be present (CI).</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Full path of a fixture file or folder.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "InsightFace.sln"))) return dir.FullName;
        throw new InvalidOperationException($"InsightFace.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>
/// A fact that reads ../shared/fixtures. Skipped with a clear message in a user's clone without them;
/// run (and so failing) when <see cref="Fixtures.RequireVariable"/> is 1.
/// </summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    /// <summary>Names the fixture folder the test reads.</summary>
    public FixtureFactAttribute(string folder)
    {
        if (!Directory.Exists(Fixtures.Path(folder)) && !Fixtures.Required)
            Skip = $"fixture '{folder}' not found under {Fixtures.Root} (set {Fixtures.RequireVariable}=1 to make this a failure)";
    }
}

using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Golden;

/// <summary>
/// The scripts in tests/golden recompute, with PyTorch and numpy, the reference numbers other tests hard-code; here
/// each one runs with --check, so a golden number that no script reproduces fails (see tests/golden/README.md).
/// </summary>
public class GoldenScriptTests
{
    [GoldenScriptFact("torch")]
    public void Backbone_keys_and_forward_outputs_come_from_pytorch() => AssertScriptAgrees("backbones.py");

    [GoldenScriptFact("numpy")]
    public void InsightFace_reference_numbers_come_from_the_protocol_in_numpy() => AssertScriptAgrees("insightface_reference.py");

    [GoldenScriptFact("cv2", fixture: "orl-faces-112")]
    public void ArcFace_torch_reference_numbers_come_from_pytorch_on_the_orl_pairs() => AssertScriptAgrees("arcface_torch_orl.py");

    private static void AssertScriptAgrees(string script)
    {
        var path = Path.Combine(Fixtures.RepoRoot, "tests", "golden", script);
        var (exitCode, output) = PythonModuleFactAttribute.Run(
            "import runpy, sys; sys.argv = sys.argv[1:]; sys.path.insert(0, sys.argv[0].rsplit('/', 1)[0]); " +
            "runpy.run_path(sys.argv[0], run_name='__main__')",
            path, "--check");
        Assert.True(exitCode == 0, $"{script} --check exited with {exitCode}:\n{output}");
    }
}

/// <summary>
/// A fact that runs a tests/golden script: skipped, with the reason, where Debian's python3 lacks
/// <c>module</c> or the fixture folder is missing, unless CI requires them.
/// </summary>
public sealed class GoldenScriptFactAttribute : FactAttribute
{
    /// <summary>Names the Python module the script imports and, if any, the fixture folder it reads.</summary>
    public GoldenScriptFactAttribute(string module, string? fixture = null) =>
        Skip = new PythonModuleFactAttribute(module).Skip ?? (fixture is null ? null : new FixtureFactAttribute(fixture).Skip);
}

using System.Diagnostics;

namespace InsightFace.Engine.Files;

/// <summary>
/// The steps of a commit (a checkpoint swap, a dataset's files moved into place), named so that tests can stop the
/// process between them and check that a crash there loses nothing.
/// </summary>
internal static class CrashPoint
{
    /// <summary>
    /// Tests only: the environment variable naming the step (for example <c>checkpoint-old-aside</c>) at which the
    /// process kills itself, as a crash or <c>kill -9</c> would stop it.
    /// </summary>
    public const string Variable = "INSIGHTFACE_TEST_CRASH_AT";

    /// <summary>Called with the step's name and the path it works on; tests replace it to look at the files then.</summary>
    internal static Action<string, string> Reached { get; set; } = KillIfNamed;

    private static void KillIfNamed(string step, string path)
    {
        if (Environment.GetEnvironmentVariable(Variable) == step) Process.GetCurrentProcess().Kill();
    }
}

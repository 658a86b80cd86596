using System.Diagnostics;

namespace InsightFace.Engine.Tests.Support;

/// <summary>
/// A fact that needs Debian's /usr/bin/python3 with a module (python3-onnx, python3-torch, python3-opencv) as an
/// outside judge of our files. In a user's clone without them it is skipped with a clear message; .ci/run installs
/// them and sets <see cref="RequireVariable"/>, which makes a missing peer a failure.
/// </summary>
public sealed class PythonModuleFactAttribute : FactAttribute
{
    /// <summary>The interpreter the Debian packages install into.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Set by .ci/run after it installs the Debian packages.</summary>
    public const string RequireVariable = "INSIGHTFACE_REQUIRE_PEERS";

    /// <summary>Names the Python module the test imports.</summary>
    public PythonModuleFactAttribute(string module)
    {
        if (Environment.GetEnvironmentVariable(RequireVariable) != "1" && !HasModule(module))
            Skip = $"{Python} with module '{module}' is not installed (apt-get install python3-{module})";
    }

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>; returns exit code and all output.</summary>
    public static (int ExitCode, string Output) Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static bool HasModule(string module)
    {
        if (!File.Exists(Python)) return false;
        try
        {
            return Run($"import {module}").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

using System.Diagnostics;

namespace InsightFace.Engine.Tests.Distributed.Nccl;

/// <summary>
/// A fact that compiles a C stand-in for a native library, to check our P/Invoke declarations against a real C ABI.
/// Skipped, saying why, where no C compiler (cc) is on the PATH.
/// </summary>
public sealed class CCompilerFactAttribute : FactAttribute
{
    /// <summary>Skips the test when <c>cc</c> cannot be run.</summary>
    public CCompilerFactAttribute()
    {
        if (!CanRun()) Skip = "no C compiler: 'cc' is not on the PATH (apt-get install gcc)";
    }

    /// <summary>Compiles <paramref name="source"/> into the shared library <paramref name="output"/>; throws with cc's output on failure.</summary>
    public static void CompileSharedLibrary(string source, string output)
    {
        var file = Path.ChangeExtension(output, ".c");
        File.WriteAllText(file, source);
        var start = new ProcessStartInfo("cc") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-shared", "-fPIC", "-O0", "-o", output, file }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"cc failed ({process.ExitCode}): {stdout.Result}{stderr}");
    }

    private static bool CanRun()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("cc", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

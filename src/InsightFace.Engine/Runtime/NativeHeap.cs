using System.Runtime.InteropServices;

namespace InsightFace.Engine.Runtime;

/// <summary>
/// Tunes glibc's malloc, which libtorch allocates tensors from on the CPU, for training. By default glibc keeps
/// moving its mmap threshold and gives freed memory back to the kernel, so every step pays page faults for the
/// same activations again: about 55,000 per MobileFaceNet step at batch 16. Tuned, every block comes from the heap and
/// the heap keeps what is freed, so a step reuses the memory the last one used (bench/BackboneBench/RESULTS.md).
/// PyTorch's CPU tuning guides make the same trade with jemalloc or tcmalloc.
/// </summary>
/// <remarks>
/// glibc refuses an mmap threshold above 32 MB, and at batch 64 one MobileFaceNet activation is already 51 MB
/// (64×64×56×56 floats): every such block was mapped and faulted in afresh at every step (a third of the process's time in
/// the kernel). So mmap is turned off altogether (M_MMAP_MAX 0): every block comes from the heap, whatever its size.
/// TrainingBench at batch 64: 12.8 → 17.5 samples/s (bench/RESULTS.md). Trimming is off too: with a 256 MB trim
/// threshold the heap's free top passed it and went back to the kernel at every step at batch 128 (mbf: 740,000 page
/// faults a step, steps 6.1–10 s instead of 5.0–5.7; none without trimming, and no higher peak: bench/TrainingBench/RESULTS.md).
/// <see cref="Release"/> gives the memory back when training ends.
/// <para>
/// These settings govern glibc's main heap. A thread that allocates from an arena of its own (every thread but the
/// process's first, unless MALLOC_ARENA_MAX is 1) still gets heaps of at most 64 MB, larger blocks mapped afresh and
/// free heaps handed back; that is why Start-FaceTraining trains in a child process started with MALLOC_ARENA_MAX=1
/// (bench/ChildProcessBench/RESULTS.md).
/// </para>
/// </remarks>
public static partial class NativeHeap
{
    private const int TrimThresholdOption = -1;  // M_TRIM_THRESHOLD
    private const int MmapThresholdOption = -3;  // M_MMAP_THRESHOLD
    private const int MmapMaxOption = -4;        // M_MMAP_MAX: how many blocks may be mapped at once
    private const int MmapThreshold = 32 << 20;  // glibc's own upper bound for its moving threshold
    private const int TrimThreshold = -1;        // never: glibc reads it as the largest size

    /// <summary>glibc's environment variables for the same settings: when the user set any, theirs win.</summary>
    private static readonly string[] UserSettings =
        ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_"];

    /// <summary>
    /// Applies the training settings to this process (they stay for its lifetime). Returns false, changing nothing,
    /// off Linux, without glibc, or when the user set glibc's MALLOC_*_ variables themselves.
    /// </summary>
    public static bool TuneForTraining()
    {
        if (!OperatingSystem.IsLinux() || UserSettings.Any(v => Environment.GetEnvironmentVariable(v) is not null)) return false;
        try
        {
            return mallopt(MmapThresholdOption, MmapThreshold) == 1 && mallopt(TrimThresholdOption, TrimThreshold) == 1 &&
                   mallopt(MmapMaxOption, 0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Gives the heap's free memory back to the kernel, for example when training ends.</summary>
    public static void Release()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int option, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}

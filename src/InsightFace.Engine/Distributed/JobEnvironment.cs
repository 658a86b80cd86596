using System.Collections;
using System.Globalization;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// This process's place in a job, as its launcher announced it through environment variables: Open MPI's
/// <c>mpiexec</c> (OMPI_COMM_WORLD_RANK/SIZE/LOCAL_RANK), MPICH's hydra (PMI_RANK/PMI_SIZE/MPI_LOCALRANKID), SLURM's
/// <c>srun</c> (SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID) or torchrun (RANK/WORLD_SIZE/LOCAL_RANK), tried in that
/// order. A process that none of them started is a job of one.
/// </summary>
/// <param name="Rank">This process's index, 0 … <paramref name="WorldSize"/> − 1.</param>
/// <param name="WorldSize">The number of processes in the job.</param>
/// <param name="LocalRank">This process's index among the job's processes on its machine; null when the launcher does not say.</param>
/// <param name="Launcher">Whose variables these are; <see cref="JobLauncher.None"/> for a single process.</param>
public sealed record JobEnvironment(int Rank, int WorldSize, int? LocalRank, JobLauncher Launcher)
{
    private static readonly (JobLauncher Launcher, string Rank, string Size, string LocalRank)[] Sources =
    [
        (JobLauncher.OpenMpi, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
        (JobLauncher.Mpich, "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
        (JobLauncher.Slurm, "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),
        (JobLauncher.Torchrun, "RANK", "WORLD_SIZE", "LOCAL_RANK"),
    ];

    /// <summary>A process that no launcher started: rank 0 of 1.</summary>
    public static JobEnvironment SingleProcess { get; } = new(0, 1, 0, JobLauncher.None);

    /// <summary>Reads this process's environment variables.</summary>
    /// <exception cref="DistributedException">A launcher's variable is not a whole number in range (LaunchVariableInvalid).</exception>
    public static JobEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        return From(variables);
    }

    /// <summary>
    /// Reads <paramref name="variables"/>: the first launcher whose rank and size variables are both set wins; its
    /// local-rank variable is optional.
    /// </summary>
    /// <exception cref="DistributedException">A launcher's variable is not a whole number in range (LaunchVariableInvalid).</exception>
    public static JobEnvironment From(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var source in Sources)
        {
            var rankText = variables.GetValueOrDefault(source.Rank);
            var sizeText = variables.GetValueOrDefault(source.Size);
            if (string.IsNullOrEmpty(rankText) || string.IsNullOrEmpty(sizeText)) continue;

            var size = Parse(source.Size, sizeText, 1, int.MaxValue);
            var rank = Parse(source.Rank, rankText, 0, size - 1);
            var localText = variables.GetValueOrDefault(source.LocalRank);
            int? local = string.IsNullOrEmpty(localText) ? null : Parse(source.LocalRank, localText, 0, size - 1);
            return new JobEnvironment(rank, size, local, source.Launcher);
        }
        return SingleProcess;
    }

    private static int Parse(string name, string text, int min, int max)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        throw new DistributedException(ErrorIds.LaunchVariableInvalid,
            $"The launcher variable {name}='{text}' is not a whole number from {min} to {max}.");
    }
}

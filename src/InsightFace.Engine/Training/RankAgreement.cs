using System.Security.Cryptography;
using System.Text;
using InsightFace.Engine.Distributed;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>
/// Checks, before a job of several processes trains, that every rank was started with the same config, dataset,
/// module version and resume checkpoint. Ranks that disagree would train different models in lock step, or hang in
/// a collective whose shapes differ; instead every rank fails at the start with one error naming what differs.
/// </summary>
internal static class RankAgreement
{
    private static readonly string[] What = ["the config", "the dataset", "the module version", "the checkpoint to resume"];

    /// <exception cref="TrainingException">RanksDisagree, on every rank.</exception>
    public static void Check(TrainingRequest request, string? resumeFrom)
    {
        var collectives = request.Collectives;
        if (collectives.WorldSize == 1) return;
        var info = request.Dataset.Info;
        string[] facts =
        [
            request.Config.Hash,
            $"{info.DatasetPath}|{request.Dataset.Count}|{request.Dataset.NumClasses}",
            typeof(RankAgreement).Assembly.GetName().Version?.ToString() ?? "",
            resumeFrom ?? "",
        ];
        using var local = tensor(facts.Select(Fingerprint).ToArray());
        using var all = collectives.AllGather(local.unsqueeze(0));
        var rows = all.data<long>().ToArray();
        var problems = new List<string>();
        for (var rank = 1; rank < collectives.WorldSize; rank++)
        {
            var differs = Enumerable.Range(0, What.Length).Where(k => rows[rank * What.Length + k] != rows[k]).Select(k => What[k]).ToList();
            if (differs.Count > 0) problems.Add($"rank {rank} differs from rank 0 in {string.Join(", ", differs)}");
        }
        if (problems.Count > 0)
            throw new TrainingException(ErrorIds.RanksDisagree,
                $"The {collectives.WorldSize} processes of this job were not started alike: {string.Join("; ", problems)}. Start every rank with the same command, files and module.");
    }

    private static long Fingerprint(string text) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
}

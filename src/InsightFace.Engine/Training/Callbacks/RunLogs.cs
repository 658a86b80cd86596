using InsightFace.Engine.Training.Logging;

namespace InsightFace.Engine.Training.Callbacks;

/// <summary>The run folder's logs: training.log, metrics.jsonl and the TensorBoard event file.</summary>
internal sealed class RunLogs : IDisposable
{
    public RunLogs(string runFolder)
    {
        Log = new TrainingLogFile(Path.Combine(runFolder, "training.log"));
        try
        {
            Metrics = new MetricsFile(Path.Combine(runFolder, "metrics.jsonl"));
            TensorBoard = new TensorBoardLog(runFolder);
        }
        catch
        {
            Log.Dispose();
            Metrics?.Dispose();
            throw;
        }
    }

    public TrainingLogFile Log { get; }
    public MetricsFile Metrics { get; }
    public TensorBoardLog TensorBoard { get; }

    public void Dispose()
    {
        Log.Dispose();
        Metrics.Dispose();
    }
}

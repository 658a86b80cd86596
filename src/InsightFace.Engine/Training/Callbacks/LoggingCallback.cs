using InsightFace.Engine.Configuration;
using InsightFace.Engine.Training.Logging;

namespace InsightFace.Engine.Training.Callbacks;

/// <summary>
/// arcface_torch's CallBackLogging: every <c>frequent</c> iterations, the mean loss since the previous record,
/// the speed and the time to the end, to training.log, metrics.jsonl, TensorBoard and the observer.
/// </summary>
internal sealed class LoggingCallback(RunLogs logs, ITrainingObserver observer, TrainingConfig config, RunClock clock, long stepsAtStart)
    : ITrainingCallback
{
    private readonly AverageMeter _loss = new();
    private (TimeSpan Time, long Step) _last = (TimeSpan.Zero, stepsAtStart);

    public void AfterIteration(IterationReport report)
    {
        if (!report.Skipped) _loss.Add(report.Loss);
        if (report.GlobalStep % config.Frequent != 0) return;

        var now = clock.Elapsed;
        var speed = (report.GlobalStep - _last.Step) * config.TotalBatchSize / (now - _last.Time).TotalSeconds;
        var requiredHours = clock.Remaining(report.GlobalStep).TotalHours;
        var (step, epoch, lr) = (report.GlobalStep, report.Epoch, report.LearningRate);
        var line = TrainingLogFile.StepLine(speed, _loss.Average, lr, epoch, step, requiredHours);
        logs.Log.Write(line);
        logs.Metrics.Write(new { type = "train", step, epoch, loss = _loss.Average, lr, speed, time = DateTimeOffset.UtcNow });
        logs.TensorBoard.Scalar("loss", _loss.Average, step);
        logs.TensorBoard.Scalar("learning_rate", lr, step);
        logs.TensorBoard.Scalar("time_for_end", requiredHours, step);
        observer.Logged(new TrainingMetrics(epoch, step, _loss.Average, lr, speed, requiredHours, line));
        _loss.Reset();
        _last = (now, step);
    }
}

using System.Globalization;

namespace InsightFace.Engine.Training.Logging;

/// <summary>
/// training.log in arcface_torch's format: every line is prefixed "Training: &lt;asctime&gt;-" as its
/// logging.Formatter("Training: %(asctime)s-%(message)s") writes it, with asctime like 2021-06-01 12:00:00,123.
/// </summary>
internal sealed class TrainingLogFile : IDisposable
{
    private readonly StreamWriter _writer;

    public TrainingLogFile(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    public void Write(string message) =>
        _writer.WriteLine($"Training: {DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture)}-{message}");

    /// <summary>The periodic line of arcface_torch's CallBackLogging (without fp16's grad-scale field).</summary>
    public static string StepLine(double speed, double loss, double lr, int epoch, long globalStep, double requiredHours) =>
        string.Format(CultureInfo.InvariantCulture,
            "Speed {0:F2} samples/sec   Loss {1:F4}   LearningRate {2:F6}   Epoch: {3}   Global Step: {4}   Required: {5:F0} hours",
            speed, loss, lr, epoch, globalStep, requiredHours);

    public void Dispose() => _writer.Dispose();
}

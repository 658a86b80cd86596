using System.Text.Json;

namespace InsightFace.Engine.Training.Logging;

/// <summary>metrics.jsonl: one JSON object per logged step and per verification, for scripts and plots.</summary>
internal sealed class MetricsFile : IDisposable
{
    private readonly StreamWriter _writer;

    public MetricsFile(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    public void Write(object record) => _writer.WriteLine(JsonSerializer.Serialize(record));

    public void Dispose() => _writer.Dispose();
}

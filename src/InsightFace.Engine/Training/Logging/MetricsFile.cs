using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace InsightFace.Engine.Training.Logging;

/// <summary>
/// metrics.jsonl: one JSON object per logged step and per verification, for scripts and plots. JSON has no NaN or
/// infinity, so a value that is not finite (a NaN loss, TAR@FAR on folds with one kind of pair) is written as
/// <c>null</c>, wherever it is in the record.
/// </summary>
internal sealed class MetricsFile : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new NonFiniteAsNull<double>(), new NonFiniteAsNull<float>() } };
    private readonly StreamWriter _writer;

    public MetricsFile(string path) => _writer = new StreamWriter(path, append: true) { AutoFlush = true };

    public void Write(object record) => _writer.WriteLine(JsonSerializer.Serialize(record, Json));

    public void Dispose() => _writer.Dispose();

    /// <summary>Writes a NaN or an infinity as null, any other value as System.Text.Json writes it.</summary>
    private sealed class NonFiniteAsNull<T> : JsonConverter<T> where T : struct, IFloatingPoint<T>
    {
        // The file is only written here; readers take it as plain JSON.
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("metrics.jsonl records are written, not read, through this converter.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            if (T.IsFinite(value)) JsonSerializer.Serialize(writer, value);
            else writer.WriteNullValue();
        }
    }
}

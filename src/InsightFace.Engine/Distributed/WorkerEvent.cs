using System.Text.Json;
using System.Text.Json.Serialization;
using InsightFace.Engine.Evaluation;
using InsightFace.Engine.Training;

namespace InsightFace.Engine.Distributed;

/// <summary>
/// One line of the worker event protocol: what a worker of a multi-process training reports, as one JSON object after
/// <see cref="Prefix"/> on a line of its own. Rank 0 writes its events on standard output; a rank that fails writes
/// its failure there too (rank 0) or on standard error (the others), so that lines of different ranks never mix.
/// </summary>
/// <param name="Event">What happened: one of the names in <see cref="Kinds"/>.</param>
/// <param name="Rank">The rank that reports it.</param>
internal sealed record WorkerEvent(string Event, int Rank)
{
    /// <summary>Starts every event line; anything else a worker prints is its own output.</summary>
    public const string Prefix = "@InsightFace.WorkerEvent ";

    /// <summary>The event names.</summary>
    public static class Kinds
    {
        public const string Started = "started";
        public const string Message = "message";
        public const string Warning = "warning";
        public const string Step = "step";
        public const string Logged = "logged";
        public const string Verified = "verified";
        public const string Checkpoint = "checkpoint";
        public const string Finished = "finished";
        public const string Failed = "failed";
    }

    /// <summary>A message's or warning's text, a failure's message, or the host a rank started on.</summary>
    public string? Text { get; init; }

    /// <summary>A step's progress.</summary>
    public TrainingStep? Step { get; init; }

    /// <summary>A periodic log record.</summary>
    public TrainingMetrics? Metrics { get; init; }

    /// <summary>The step a verification ran at.</summary>
    public long? GlobalStep { get; init; }

    /// <summary>A verification's results.</summary>
    public IReadOnlyList<VerificationResult>? Results { get; init; }

    /// <summary>A checkpoint's folder, read again from disk by the launcher.</summary>
    public string? Folder { get; init; }

    /// <summary>The process id a rank started as.</summary>
    public int? ProcessId { get; init; }

    /// <summary>A failure's error id (one of <see cref="ErrorIds"/>).</summary>
    public string? ErrorId { get; init; }

    /// <summary>The JSON settings of the protocol: a NaN loss travels as NaN, absent parts are left out.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

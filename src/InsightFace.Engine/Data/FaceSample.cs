namespace InsightFace.Engine.Data;

/// <summary>One image of a dataset, still encoded (JPEG or PNG), with its identity label.</summary>
/// <param name="Image">The encoded image bytes exactly as stored.</param>
/// <param name="Label">The identity, 0 .. NumClasses − 1.</param>
/// <param name="Origin">Where the bytes came from (a file, or a file and byte offset), for messages.</param>
public sealed record FaceSample(byte[] Image, int Label, string Origin);

namespace InsightFace.Engine.Data;

/// <summary>A source record a writer left out: it could not be read, or its bytes are not a decodable image.</summary>
/// <param name="Index">The record's index in the source dataset.</param>
/// <param name="Error">Why, with its error id, file and offset.</param>
public sealed record SkippedRecord(int Index, DatasetException Error);

namespace InsightFace.Engine.Data.RecordIO;

/// <summary>One image record of a <c>.rec</c> file, its header parsed.</summary>
/// <param name="Key">The record's key in the index.</param>
/// <param name="Offset">The byte offset of the record in the <c>.rec</c> file.</param>
/// <param name="Header">The IRHeader with any extra labels.</param>
/// <param name="Image">The bytes after the header: the encoded image, exactly as stored.</param>
public sealed record RecordIORecord(int Key, long Offset, IRHeader Header, byte[] Image);

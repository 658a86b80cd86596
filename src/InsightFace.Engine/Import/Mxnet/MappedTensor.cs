namespace InsightFace.Engine.Import.Mxnet;

/// <summary>A float32 tensor ready to load into a backbone: its shape and its values in C order.</summary>
public sealed record MappedTensor(long[] Shape, float[] Values);

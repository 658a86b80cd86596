namespace InsightFace.Engine.Heads;

/// <summary>A batch carried a label outside [0, num_classes): the dataset and the config disagree.</summary>
public sealed class LabelOutOfRangeException : InsightFaceException
{
    /// <summary>Creates the exception for <paramref name="label"/> found at <paramref name="batchIndex"/> of rank <paramref name="rank"/>'s batch.</summary>
    public LabelOutOfRangeException(long label, long batchIndex, int rank, long numClasses)
        : base(ErrorIds.LabelOutOfRange,
            $"Label {label} at batch index {batchIndex}{(rank > 0 ? $" of rank {rank}" : "")} is outside [0, {numClasses}). " +
            $"num_classes must be larger than every label in the dataset.")
    {
        Label = label;
        BatchIndex = batchIndex;
        Rank = rank;
        NumClasses = numClasses;
    }

    /// <summary>The offending label.</summary>
    public long Label { get; }

    /// <summary>Its position in the batch of the rank that loaded it.</summary>
    public long BatchIndex { get; }

    /// <summary>The rank whose batch held it (0 in a one-process job).</summary>
    public int Rank { get; }

    /// <summary>The configured number of classes.</summary>
    public long NumClasses { get; }
}

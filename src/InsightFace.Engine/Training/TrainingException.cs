namespace InsightFace.Engine.Training;

/// <summary>Training cannot start or go on: a bad run folder, a non-finite loss, an incompatible resume.</summary>
public sealed class TrainingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingException(string errorId, string message, Exception? inner = null) : base(message, inner) => ErrorId = errorId;

    /// <summary>RunExists, RunFolderLocked, LossNotFinite, ResumeNotFound, ResumeIncompatible or DatasetIncompatible.</summary>
    public string ErrorId { get; }
}

namespace InsightFace.Engine.Training;

/// <summary>
/// arcface_torch's train_v2.py: backbone, Partial FC with the combined margin, SGD (or AdamW) with per-iteration
/// polynomial decay, gradient clipping at norm 5 and accumulation, logging, verification every <c>verbose</c>
/// steps, and a checkpoint every epoch and on cancellation that resumes exactly.
/// </summary>
/// <remarks>
/// <para>
/// The loop is built from parts: a <see cref="TrainingPlan"/> checks everything before any file is touched, an
/// <see cref="OptimizationStep"/> trains on each batch, callbacks log, report progress and verify, and a
/// checkpoint writer saves. The job's <see cref="Distributed.ICollectives"/> come with the request: with several
/// processes every rank runs a trainer, and they move in lock step. While a trainer (of rank 0)
/// exists it holds the run folder's lock, so a second training into the same folder fails (RunFolderLocked).
/// </para>
/// <para>
/// Everything random after the start is a function of the seed and the position: the loader's order and flips
/// depend on (seed, epoch, index), and libtorch's generator is reseeded from (seed, global step) before every
/// iteration, so dropout and Partial FC's negative sampling repeat too. That is what lets a resumed run reproduce the
/// uninterrupted one bit for bit. Runs on the calling thread; the observer is called on it.
/// </para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly TrainingPlan _plan;
    private readonly RunFolderLock? _lock;
    private readonly TrainingRun? _run;

    /// <summary>Plans the run (see <see cref="TrainingPlan.Create"/>), passes the plan's warnings to the observer, and sets it up.</summary>
    public Trainer(TrainingRequest request, ITrainingObserver observer) : this(Plan(request, observer), observer)
    {
    }

    /// <summary>
    /// Sets up a planned run: takes the run folder's lock, builds the model, loads the resume state, and only then
    /// replaces an old run (<see cref="TrainingPlan.ReplacesRun"/>) and opens the logs. A plan with nothing left to
    /// train (<see cref="TrainingPlan.Finished"/>) sets up nothing.
    /// </summary>
    /// <exception cref="TrainingException">RunFolderLocked: another training holds the run folder; or the resume state cannot be loaded.</exception>
    public Trainer(TrainingPlan plan, ITrainingObserver observer)
    {
        _plan = plan;
        if (plan.Finished is not null) return;
        // In a job of several processes rank 0 holds the lock for all of them.
        _lock = plan.Request.Collectives.Rank == 0 ? RunFolderLock.Acquire(plan.RunFolder) : null;
        try
        {
            _run = new TrainingRun(plan, observer);
        }
        catch
        {
            _lock?.DisposeAfterFailedStart();
            throw;
        }
    }

    /// <summary>
    /// Trains to the end, or until <paramref name="cancellationToken"/> fires (then saves a resumable checkpoint and
    /// throws). For a finished run it returns the final checkpoint, with no checkpoint saved.
    /// </summary>
    public TrainingOutcome Run(CancellationToken cancellationToken) =>
        _run?.Run(cancellationToken) ?? new TrainingOutcome(_plan.Finished!, Array.Empty<Checkpoints.CheckpointInfo>());

    /// <inheritdoc />
    public void Dispose()
    {
        _run?.Dispose();
        _lock?.Dispose();
    }

    private static TrainingPlan Plan(TrainingRequest request, ITrainingObserver observer)
    {
        var plan = TrainingPlan.Create(request);
        foreach (var warning in plan.Warnings) observer.Message(warning);
        return plan;
    }
}

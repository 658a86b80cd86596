using InsightFace.Engine.Distributed;
using static TorchSharp.torch;

namespace InsightFace.Engine.Training;

/// <summary>What the ranks decided after an iteration.</summary>
internal enum StopVerdict
{
    /// <summary>Train on.</summary>
    GoOn = 0,

    /// <summary>A stop was asked for (Ctrl+C, SIGTERM) on some rank: every rank saves an interrupt checkpoint.</summary>
    Interrupt = 1,

    /// <summary>A rank's callback failed: every rank saves the checkpoint due, and the job ends with that failure.</summary>
    Failure = 2,
}

/// <summary>
/// Makes every rank stop after the same iteration. A rank that stopped on its own would leave the others waiting in
/// the next collective, and a checkpoint needs every rank's head shard, so a stop asked for on any rank (a signal
/// reaches the ranks at different moments) or a failure on any rank (callbacks run on rank 0 only) is agreed with
/// one all-reduce (MAX) of a single number per iteration.
/// </summary>
internal sealed class StopAgreement(ICollectives collectives)
{
    /// <summary>The most severe of every rank's wishes.</summary>
    public StopVerdict Agree(bool stopRequested, bool failed)
    {
        var wish = failed ? StopVerdict.Failure : stopRequested ? StopVerdict.Interrupt : StopVerdict.GoOn;
        if (collectives.WorldSize == 1) return wish;
        using var flag = tensor(new[] { (int)wish });
        collectives.AllReduce(flag, ReduceOp.Max);
        return (StopVerdict)flag.item<int>();
    }
}

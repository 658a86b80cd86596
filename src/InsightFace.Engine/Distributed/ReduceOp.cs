namespace InsightFace.Engine.Distributed;

/// <summary>How <see cref="ICollectives.AllReduce"/> combines the ranks' tensors element by element.</summary>
public enum ReduceOp
{
    /// <summary>The sum over ranks.</summary>
    Sum,

    /// <summary>The maximum over ranks.</summary>
    Max,
}

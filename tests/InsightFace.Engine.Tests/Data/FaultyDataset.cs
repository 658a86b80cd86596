using InsightFace.Engine.Data;

namespace InsightFace.Engine.Tests.Data;

/// <summary>Wraps a dataset and lets a test intercept reads: throw, cancel, or return other bytes for chosen indices.</summary>
public sealed class FaultyDataset(IFaceDataset inner, Func<int, FaceSample?> intercept) : IFaceDataset
{
    public List<int> ReadOrder { get; } = [];

    public DatasetInfo Info => inner.Info;

    public int Count => inner.Count;

    public int NumClasses => inner.NumClasses;

    /// <summary>Writers read on several threads: interceptions run one at a time.</summary>
    public FaceSample Read(int index)
    {
        lock (ReadOrder)
        {
            ReadOrder.Add(index);
            return intercept(index) ?? inner.Read(index);
        }
    }

    public void Dispose() => inner.Dispose();
}

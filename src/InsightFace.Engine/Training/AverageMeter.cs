namespace InsightFace.Engine.Training;

/// <summary>Running mean of the values since the last reset (arcface_torch's AverageMeter).</summary>
internal sealed class AverageMeter
{
    private double _sum;
    private long _count;

    public double Average => _count == 0 ? 0 : _sum / _count;

    public void Add(double value)
    {
        _sum += value;
        _count++;
    }

    public void Reset()
    {
        _sum = 0;
        _count = 0;
    }
}

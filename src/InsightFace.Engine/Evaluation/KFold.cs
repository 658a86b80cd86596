namespace InsightFace.Engine.Evaluation;

/// <summary>sklearn's <c>KFold(n_splits, shuffle=False)</c>: contiguous test folds in file order.</summary>
internal static class KFold
{
    /// <summary>
    /// The test fold of each split as (start, count). The first <c>n % k</c> folds hold one item more, as sklearn's do.
    /// </summary>
    public static (int Start, int Count)[] TestFolds(int n, int k)
    {
        if (k < 2 || n < k)
            throw new ArgumentOutOfRangeException(nameof(n),
                $"{k}-fold cross-validation needs at least {k} pairs; the set has {n}.");
        var folds = new (int Start, int Count)[k];
        var start = 0;
        for (var i = 0; i < k; i++)
        {
            var count = n / k + (i < n % k ? 1 : 0);
            folds[i] = (start, count);
            start += count;
        }
        return folds;
    }
}

namespace InsightFace.Engine.Evaluation;

/// <summary>A fold of the protocol's cross-validation that holds pairs of one kind only.</summary>
/// <param name="Fold">The fold's number, from 1.</param>
/// <param name="FirstPair">Its first pair, counted from 0 in file order.</param>
/// <param name="Pairs">How many pairs it holds.</param>
/// <param name="Same">True when all of them are "same" pairs, false when all are "different" pairs.</param>
public sealed record OneKindFold(int Fold, int FirstPair, int Pairs, bool Same);

/// <summary>
/// Whether each fold of the protocol holds both kinds of pair. The protocol cuts the pairs, in file order, into 10
/// contiguous folds (sklearn's KFold without shuffling). A fold of one kind makes TAR@FAR not a number (VAL divides
/// by a fold's "same" pairs, FAR by its "different" pairs) and leaves thresholds to be chosen on folds that lack a
/// kind. InsightFace's sets interleave the kinds so that every fold holds both: LFW's pairs.txt is 10 blocks of 300
/// "same" then 300 "different" pairs, one block per fold.
/// </summary>
public static class FoldBalance
{
    /// <summary>The folds of <paramref name="isSame"/> (one flag per pair, in file order) that hold one kind of pair only.</summary>
    public static IReadOnlyList<OneKindFold> OneKindFolds(IReadOnlyList<bool> isSame, int folds = VerificationMetrics.DefaultFolds)
    {
        // Fewer pairs than folds cannot be verified at all, which the runner reports (VerificationTooFewPairs).
        if (isSame.Count < folds) return [];
        return KFold.TestFolds(isSame.Count, folds)
            .Select((fold, i) => (Fold: i + 1, fold.Start, fold.Count))
            .Where(f => Enumerable.Range(f.Start, f.Count).All(p => isSame[p] == isSame[f.Start]))
            .Select(f => new OneKindFold(f.Fold, f.Start, f.Count, isSame[f.Start]))
            .ToArray();
    }

    /// <summary>A warning about <paramref name="target"/>'s folds of one kind and the pair order it needs, or null when every fold holds both kinds.</summary>
    public static string? Warning(string target, IReadOnlyList<bool> isSame, int folds = VerificationMetrics.DefaultFolds)
    {
        var oneKind = OneKindFolds(isSame, folds);
        if (oneKind.Count == 0) return null;
        string Numbers(bool same) => string.Join(", ", oneKind.Where(f => f.Same == same).Select(f => f.Fold));
        var kinds = string.Join("; ", new[] { (true, "same"), (false, "different") }
            .Where(k => oneKind.Any(f => f.Same == k.Item1))
            .Select(k => $"folds {Numbers(k.Item1)} hold only \"{k.Item2}\" pairs"));
        var remedy = isSame.Count < 2 * folds
            ? $"With fewer than {2 * folds} pairs some folds hold a single pair: use more pairs, in an order where every tenth of the list holds both kinds"
            : "Order the pairs so that every tenth of the list holds both kinds";
        return $"'{target}': {kinds}. The protocol cuts the {isSame.Count} pairs, in file order, into {folds} folds, and a fold " +
               $"of one kind makes TAR@FAR not a number. {remedy}, as InsightFace's sets do (LFW: each block of 600 is 300 same, " +
               "then 300 different pairs), for example by alternating them.";
    }
}

using InsightFace.Engine.Evaluation;

namespace InsightFace.Engine.Tests.Evaluation;

public class FoldBalanceTests
{
    private static bool[] Pairs(string kinds) => kinds.Select(c => c == 'S').ToArray();

    [Fact]
    public void All_same_pairs_first_gives_folds_of_one_kind_each()
    {
        var folds = FoldBalance.OneKindFolds(Pairs(new string('S', 10) + new string('D', 10)));

        Assert.Equal(Enumerable.Range(1, 10), folds.Select(f => f.Fold));
        Assert.Equal([0, 2, 4, 6, 8, 10, 12, 14, 16, 18], folds.Select(f => f.FirstPair));
        Assert.All(folds, f => Assert.Equal(2, f.Pairs));
        Assert.Equal(Enumerable.Repeat(true, 5).Concat(Enumerable.Repeat(false, 5)), folds.Select(f => f.Same));
    }

    [Theory]
    [InlineData("SDSDSDSDSDSDSDSDSDSD")]                                         // alternating
    [InlineData("SSSDDDSSSDDDSSSDDDSSSDDDSSSDDDSSSDDDSSSDDDSSSDDDSSSDDDSSSDDD")] // LFW's blocks, one per fold
    [InlineData("SDS")]                                                          // too few pairs to verify at all
    public void Interleaved_kinds_give_no_fold_of_one_kind(string kinds)
    {
        Assert.Empty(FoldBalance.OneKindFolds(Pairs(kinds)));
        Assert.Null(FoldBalance.Warning("lfw", Pairs(kinds)));
    }

    [Fact]
    public void Folds_follow_sklearns_kfold_the_first_ones_one_pair_larger()
    {
        // 23 pairs: folds 1-3 hold 3 pairs, folds 4-10 hold 2. Only the third fold (pairs 6-8) is all "different".
        var kinds = "SSD" + "SDS" + "DDD" + "SD" + "DS" + "SD" + "DS" + "SD" + "DS" + "SD";
        var fold = Assert.Single(FoldBalance.OneKindFolds(Pairs(kinds)));

        Assert.Equal(new OneKindFold(3, 6, 3, Same: false), fold);
    }

    [Fact]
    public void A_fold_of_one_kind_is_what_makes_the_protocols_tar_at_far_not_a_number()
    {
        var distances = Enumerable.Range(0, 40).Select(i => 0.05 * (i % 7)).ToArray();
        var sorted = Pairs(new string('S', 20) + new string('D', 20));
        var alternating = Pairs(string.Concat(Enumerable.Repeat("SD", 20)));

        Assert.NotEmpty(FoldBalance.OneKindFolds(sorted));
        Assert.True(double.IsNaN(VerificationMetrics.Evaluate(distances, sorted).TarAtFar));
        Assert.Empty(FoldBalance.OneKindFolds(alternating));
        Assert.True(double.IsFinite(VerificationMetrics.Evaluate(distances, alternating).TarAtFar));
    }

    [Fact]
    public void The_warning_names_the_folds_and_the_order_to_use()
    {
        var warning = FoldBalance.Warning("mine", Pairs(new string('S', 10) + new string('D', 10)));

        Assert.NotNull(warning);
        Assert.Contains("'mine': folds 1, 2, 3, 4, 5 hold only \"same\" pairs; folds 6, 7, 8, 9, 10 hold only \"different\" pairs.", warning);
        Assert.Contains("TAR@FAR not a number", warning);
        Assert.Contains("Order the pairs so that every tenth of the list holds both kinds", warning);
    }

    [Fact]
    public void Fewer_than_two_pairs_a_fold_are_warned_about_whatever_their_order()
    {
        // 12 alternating pairs: folds 3 to 10 hold one pair each.
        var warning = FoldBalance.Warning("small", Pairs("SDSDSDSDSDSD"));

        Assert.NotNull(warning);
        Assert.Contains("folds 3, 5, 7, 9 hold only \"same\" pairs; folds 4, 6, 8, 10 hold only \"different\" pairs", warning);
        Assert.Contains("With fewer than 20 pairs some folds hold a single pair: use more pairs", warning);
    }
}

using InsightFace.Engine.Data.Verification;
using InsightFace.Engine.Tests.Support;

namespace InsightFace.Engine.Tests.Data.Verification;

/// <summary>Pairs of real face JPEGs from the ORL fixture: pair i is (s(i+1)/1, s(i+1)/2) or (s(i+1)/1, s(i+2)/1).</summary>
internal static class FaceFixtures
{
    public const string Orl = "orl-faces-112";

    public static string Image(int subject, int number) => Fixtures.Path(Orl, $"s{subject}", $"{number}.jpg");

    public static IReadOnlyList<ImagePair> Pairs(int count) =>
        Enumerable.Range(1, count)
            .Select(i => i % 2 == 1
                ? new ImagePair(Image(i, 1), Image(i, 2), true)
                : new ImagePair(Image(i, 1), Image(i + 1, 1), false))
            .ToArray();
}

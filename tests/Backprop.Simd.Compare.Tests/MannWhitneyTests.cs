using Backprop.Simd.Compare;
using Xunit;

namespace Backprop.Simd.Compare.Tests;

/// <summary>
/// The U test against published values: SciPy's documented example (Mann and Whitney's males/females ages, exact
/// p = 1/9 and asymptotic 0.11134688653314041) and values SciPy 1.10 gives for a tied sample, a mixed sample of 12 and
/// 15 and two fully separated samples of 20.
/// </summary>
public class MannWhitneyTests
{
    private static readonly double[] Males = [19, 22, 16, 29, 24];
    private static readonly double[] Females = [20, 11, 17, 12];

    [Fact]
    public void ExactMatchesTheTextbookExample()
    {
        MannWhitneyResult result = MannWhitney.Test(Males, Females);
        Assert.Equal(PValueMethod.Exact, result.Method);
        Assert.Equal(17, result.U);
        Assert.Equal(1.0 / 9, result.PValue, 1e-12);
    }

    [Fact]
    public void NormalApproximationMatchesTheTextbookExample()
    {
        MannWhitneyResult result = MannWhitney.Test(Males, Females, PValueMethod.Normal);
        Assert.Equal(17, result.U);
        AssertRelative(0.11134688653314041, result.PValue, 1e-6);
    }

    [Fact]
    public void TiesGetMeanRanksAndTheTieCorrection()
    {
        double[] x = [1, 2, 2, 3, 4, 5, 5, 6];
        double[] y = [3, 4, 4, 5, 6, 7, 7, 8, 9];
        MannWhitneyResult result = MannWhitney.Test(x, y);
        Assert.Equal(PValueMethod.Normal, result.Method);
        Assert.Equal(14, result.U);
        AssertRelative(0.03714012623439529, result.PValue, 1e-6);
        Assert.Throws<ArgumentException>(() => MannWhitney.Test(x, y, PValueMethod.Exact));
    }

    [Fact]
    public void ExactAndNormalAgreeWithScipyOnAMixedSample()
    {
        double[] x = [0.346, 0.822, 0.33, -1.303, 0.905, 0.446, -0.537, 0.581, 0.365, 0.294, 0.028, 0.547];
        double[] y = [0.064, 0.637, 0.318, 1.399, 0.84, 0.508, 0.018, 0.543, 0.808, 0.524, 2.094, 1.807, -1.911, -1.089, 0.625];
        Assert.Equal(69, MannWhitney.Test(x, y).U);
        AssertRelative(0.32285706396623076, MannWhitney.Test(x, y, PValueMethod.Exact).PValue, 1e-9);
        AssertRelative(0.31716652052312344, MannWhitney.Test(x, y, PValueMethod.Normal).PValue, 1e-6);
    }

    [Fact]
    public void SeparatedSamplesAreHighlySignificant()
    {
        double[] low = [.. Enumerable.Range(1, 20).Select(i => (double)i)];
        double[] high = [.. Enumerable.Range(21, 20).Select(i => (double)i)];
        MannWhitneyResult result = MannWhitney.Test(low, high);
        Assert.Equal(0, result.U);
        AssertRelative(1.4508889103849684e-11, result.PValue, 1e-9);
    }

    [Fact]
    public void SwappingTheSamplesMirrorsUAndKeepsP()
    {
        MannWhitneyResult forward = MannWhitney.Test(Males, Females);
        MannWhitneyResult backward = MannWhitney.Test(Females, Males);
        Assert.Equal(Males.Length * Females.Length, forward.U + backward.U);
        Assert.Equal(forward.PValue, backward.PValue, 1e-12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(30)]
    public void IdenticalOrTiedSamplesAreNotSignificant(int n)
    {
        double[] same = [.. Enumerable.Range(0, n).Select(i => 1.0 + i)];
        Assert.Equal(1, MannWhitney.Test(same, same).PValue);
        double[] constant = [.. Enumerable.Repeat(2.5, n)];
        Assert.Equal(1, MannWhitney.Test(constant, constant).PValue);
    }

    [Fact]
    public void TooFewIterationsCannotBeSignificant()
    {
        // Three against three, fully separated: the smallest two-sided p is 2/C(6,3) = 0.1.
        Assert.Equal(0.1, MannWhitney.Test([1, 2, 3], [4, 5, 6]).PValue, 1e-12);
        Assert.Equal(1, MannWhitney.Test([], [1, 2]).PValue);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.0, 0.15729920705028516)]
    [InlineData(2.0, 0.004677734981047266)]
    [InlineData(-1.0, 1.8427007929497148)]
    public void ErfcMatchesReferenceValues(double x, double expected) => AssertRelative(expected, MannWhitney.Erfc(x), 2e-7);

    private static void AssertRelative(double expected, double actual, double tolerance)
        => Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}

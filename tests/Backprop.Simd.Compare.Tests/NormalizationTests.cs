using Backprop.Simd.Compare.Contract;
using Xunit;

namespace Backprop.Simd.Compare.Tests;

/// <summary>The exporter's arithmetic: probe figures from their iterations, and each kind's normalized figure.</summary>
public class NormalizationTests
{
    // FMA peak 200 GFLOP/s (5 ps per flop), triad 50 GB/s at 16 Mi floats, reference 1000 ns.
    private static readonly ProbeFigures Probes = Normalization.Probes([0.006, 0.005, 0.004], [4026531.84], 16 << 20, [900, 1000, 1100, 1200]);

    [Fact]
    public void ProbeFiguresComeFromTheirMedians()
    {
        Assert.Equal(200, Probes.FmaPeakGflops!.Value, 1e-9);
        Assert.Equal(50, Probes.TriadGBPerSecond!.Value, 1e-9);
        Assert.Equal(1050, Probes.LatencyReferenceNanoseconds!.Value, 1e-9);
    }

    [Fact]
    public void MissingProbesGiveNull()
    {
        ProbeFigures none = Normalization.Probes(null, [], 16 << 20, null);
        Assert.Equal(new ProbeFigures(null, null, null), none);
    }

    [Fact]
    public void ComputeIsPercentOfFmaPeak()
    {
        // 1e6 flops in 10 µs = 100 GFLOP/s = 50% of 200; in 5 µs, 100%.
        NormalizedFigures? figures = Normalization.Normalize(BenchmarkKind.Compute, 1e6, [10_000, 5_000, 20_000], Probes, out string? why);
        Assert.Null(why);
        Assert.NotNull(figures);
        Assert.Equal("% of FMA peak", figures.Unit);
        Assert.True(figures.HigherIsBetter);
        Assert.Equal([50, 100, 25], figures.Values.Select(v => Math.Round(v, 9)));
        Assert.Equal(50, figures.Median, 1e-9);
    }

    [Fact]
    public void BandwidthIsPercentOfTriad()
    {
        // 12 MB in 0.3 ms = 40 GB/s = 80% of 50.
        NormalizedFigures? figures = Normalization.Normalize(BenchmarkKind.Bandwidth, 12e6, [300_000], Probes, out _);
        Assert.Equal("% of triad", figures!.Unit);
        Assert.Equal(80, figures.Median, 1e-9);
    }

    [Fact]
    public void LatencyIsTheRatioToTheReferenceAndLowerIsBetter()
    {
        NormalizedFigures? figures = Normalization.Normalize(BenchmarkKind.Latency, null, [2100, 1050], Probes, out _);
        Assert.Equal("× reference", figures!.Unit);
        Assert.False(figures.HigherIsBetter);
        Assert.Equal([2, 1], figures.Values);
        Assert.Equal(1.5, figures.Median, 1e-12);
    }

    [Theory]
    [InlineData(BenchmarkKind.Compute, "FmaPeak")]
    [InlineData(BenchmarkKind.Bandwidth, "Triad")]
    [InlineData(BenchmarkKind.Latency, "LatencyReference")]
    public void AMissingProbeSaysWhich(BenchmarkKind kind, string probe)
    {
        Assert.Null(Normalization.Normalize(kind, 1e6, [1000], new ProbeFigures(null, null, null), out string? why));
        Assert.Contains(probe, why, StringComparison.Ordinal);
    }

    [Fact]
    public void NoKindOrNoWorkIsNotNormalized()
    {
        Assert.Null(Normalization.Normalize(null, 1e6, [1000], Probes, out string? noKind));
        Assert.Contains("[Normalize]", noKind, StringComparison.Ordinal);
        Assert.Null(Normalization.Normalize(BenchmarkKind.Compute, null, [1000], Probes, out string? noWork));
        Assert.Contains("work", noWork, StringComparison.Ordinal);
        Assert.Null(Normalization.Normalize(BenchmarkKind.Probe, null, [1000], Probes, out _));
    }

    [Fact]
    public void MedianOfEvenCountIsTheMeanOfTheMiddlePair()
    {
        Assert.Equal(2.5, Normalization.Median([4, 1, 3, 2]));
        Assert.Equal(3, Normalization.Median([5, 3, 1]));
        Assert.True(double.IsNaN(Normalization.Median([])));
    }

    [Theory]
    [InlineData("% of FMA peak", 78.34, "78.3% peak")]
    [InlineData("% of triad", 95.06, "95.1% triad")]
    [InlineData("× reference", 1.2346, "1.235× ref")]
    [InlineData("ns", 1234.56, "1,234.6 ns")]
    public void FormatsForTheColumn(string unit, double value, string expected) => Assert.Equal(expected, Normalization.Format(unit, value));
}

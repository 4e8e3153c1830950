using Backprop.Simd.Cli;
using Backprop.Simd.Data;
using Xunit;

namespace Backprop.Simd.Tests.Data;

public sealed class LabeledDatasetTests
{
    [Fact]
    public void StratifiedSplitKeepsClassProportionsAndEverySample()
    {
        LabeledDataset digits = CsvDatasetReader.Read(TrainOptions.BundledDataPath);

        (LabeledDataset train, LabeledDataset test) = digits.StratifiedSplit(0.2, seed: 7);

        Assert.Equal(digits.Count, train.Count + test.Count);
        for (int c = 0; c < digits.ClassCount; c++)
        {
            int all = digits.Labels.Count(l => l == c);
            Assert.Equal((int)Math.Ceiling(0.2 * all), test.Labels.Count(l => l == c));
        }

        // Every sample lands in exactly one set: compare the multisets of rows.
        static IEnumerable<string> Rows(LabeledDataset d) => Enumerable.Range(0, d.Count).Select(i => $"{d.Labels[i]}:{string.Join(',', d.Row(i).ToArray())}");
        Assert.Equal(Rows(digits).Order(), Rows(train).Concat(Rows(test)).Order());
    }

    [Fact]
    public void SplitIsDeterministicForASeed()
    {
        LabeledDataset digits = CsvDatasetReader.Read(TrainOptions.BundledDataPath);

        (LabeledDataset a, _) = digits.StratifiedSplit(0.25, seed: 3);
        (LabeledDataset b, _) = digits.StratifiedSplit(0.25, seed: 3);
        (LabeledDataset c, _) = digits.StratifiedSplit(0.25, seed: 4);

        Assert.Equal(a.Features, b.Features);
        Assert.NotEqual(a.Features, c.Features);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void SplitRejectsFractionOutsideTheOpenInterval(double fraction)
    {
        var data = new LabeledDataset([1f, 2f], [0, 1], 1, 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => data.StratifiedSplit(fraction, 0));

        Assert.Equal("testFraction", error.ParamName);
    }

    [Fact]
    public void RejectsInconsistentShapes()
    {
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => new LabeledDataset([1f, 2f, 3f], [0, 1], 2, 2)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new LabeledDataset([1f, 2f], [0, 2], 1, 2)).ParamName);
        ArgumentException notFinite = Assert.Throws<ArgumentException>(() => new LabeledDataset([1f, float.NaN], [0, 1], 1, 2));
        Assert.Equal("features", notFinite.ParamName);
        Assert.Contains("sample 1", notFinite.Message, StringComparison.Ordinal);
        var data = new LabeledDataset([1f, 2f], [0, 1], 1, 2);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => data.Subset([0, 2])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => data.Subset([-1])).ParamName);
    }

    [Fact]
    public void FeatureScalerMapsTrainingRangeToUnitIntervalAndConstantsToZero()
    {
        var train = new LabeledDataset([2f, 5f, 4f, 5f, 6f, 5f], [0, 1, 0], 2, 2);
        var test = new LabeledDataset([8f, 5f], [1], 2, 2);

        FeatureScaler scaler = FeatureScaler.FitMinMax(train);
        scaler.Transform(train);
        scaler.Transform(test);

        Assert.Equal([0f, 0f, 0.5f, 0f, 1f, 0f], train.Features);
        Assert.Equal([1.5f, 0f], test.Features);
    }
}

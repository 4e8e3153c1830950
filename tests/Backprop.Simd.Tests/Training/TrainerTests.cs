using Backprop.Simd.Cli;
using Backprop.Simd.Data;
using Backprop.Simd.Model;
using Backprop.Simd.Optimizers;
using Backprop.Simd.Training;
using Xunit;

namespace Backprop.Simd.Tests.Training;

public sealed class TrainerTests
{
    private static readonly Lazy<(LabeledDataset Train, LabeledDataset Test)> s_digits = new(() =>
    {
        LabeledDataset all = CsvDatasetReader.Read(TrainOptions.BundledDataPath);
        (LabeledDataset train, LabeledDataset test) = all.StratifiedSplit(0.2, seed: 1);
        FeatureScaler scaler = FeatureScaler.FitMinMax(train);
        scaler.Transform(train);
        scaler.Transform(test);
        return (train, test);
    });

    private static (Network<float> Network, Trainer<float> Trainer) Create(TrainerOptions options, Func<int, Optimizer<float>>? optimizer = null, int seed = 3)
    {
        var network = new Network<float>(NetworkSpec.Parse("64-32-10"), options.BatchSize, seed);
        return (network, new Trainer<float>(network, optimizer?.Invoke(network.Parameters.Length) ?? new Sgd<float>(network.Parameters.Length), options));
    }

    [Fact]
    public void TrainsDigitsAndIsDeterministicForASeed()
    {
        var options = new TrainerOptions { Epochs = 5, BatchSize = 16, Seed = 7, Schedule = LearningRateSchedule.Constant(0.1) };
        (Network<float> first, Trainer<float> trainer) = Create(options);
        (Network<float> second, Trainer<float> again) = Create(options);

        TrainingReport report = trainer.Fit(s_digits.Value.Train);
        again.Fit(s_digits.Value.Train);

        Assert.Equal(first.Parameters.ToArray(), second.Parameters.ToArray());
        Assert.Equal(5, report.Epochs.Count);
        Assert.True(report.Epochs[^1].TrainLoss < report.Epochs[0].TrainLoss);
        Evaluation test = trainer.Evaluate(s_digits.Value.Test);
        Assert.True(test.Accuracy > 0.9, $"test accuracy {test.Accuracy}");
        Assert.Equal(s_digits.Value.Test.Count, test.Confusion.Total);
        Assert.Equal(test.Accuracy, test.Confusion.Accuracy);
    }

    [Fact]
    public void DescentDiagnosticIsNearOneForASmallRateAndFlagsALargeOne()
    {
        // A real model on real data: with a small rate the loss falls by what the first-order term predicts
        // (Taylor); with a huge rate the steps overshoot and the loss rises.
        var small = new TrainerOptions { Epochs = 1, BatchSize = 32, Seed = 1, Schedule = LearningRateSchedule.Constant(1e-3), DescentDiagnostics = true };
        (_, Trainer<float> careful) = Create(small, n => new Sgd<float>(n));
        TrainingReport good = careful.Fit(s_digits.Value.Train);
        DescentSummary calm = good.Epochs[0].Descent!.Value;
        Assert.InRange(calm.MedianRatio, 0.9, 1.1);
        Assert.Equal(0, calm.NonDescending);
        Assert.False(calm.IsFailing || calm.IsOvershooting);
        Assert.Empty(good.Warnings);

        (_, Trainer<float> reckless) = Create(small with { Schedule = LearningRateSchedule.Constant(30) }, n => new Sgd<float>(n));
        TrainingReport bad;
        try
        {
            bad = reckless.Fit(s_digits.Value.Train);
        }
        catch (DivergenceException)
        {
            return; // diverging outright is also a flagged outcome
        }

        DescentSummary wild = bad.Epochs[0].Descent!.Value;
        Assert.True(wild.IsFailing || wild.IsOvershooting, $"median ratio {wild.MedianRatio}");
        Assert.Contains(bad.Warnings, w => w.Contains("lower the learning rate", StringComparison.Ordinal));
    }

    [Fact]
    public void DivergenceNamesEpochAndStepAndKeepsFiniteWeights()
    {
        (Network<float> network, Trainer<float> trainer) = Create(
            new TrainerOptions { Epochs = 3, BatchSize = 16, Schedule = LearningRateSchedule.Constant(1e12) });

        DivergenceException error = Assert.Throws<DivergenceException>(() => trainer.Fit(s_digits.Value.Train));

        Assert.Matches(@"^epoch \d+, step \d+: ", error.Message);
        Assert.All(network.Parameters.ToArray(), w => Assert.True(float.IsFinite(w)));
        Assert.True(float.IsFinite(network.Evaluate(s_digits.Value.Train.Features.AsSpan(0, 64), OneHot(s_digits.Value.Train.Labels[0]), 1)));
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochsWeights()
    {
        // Validation labels that contradict the training labels: the better the fit, the worse the validation loss.
        LabeledDataset train = s_digits.Value.Train;
        var contrary = new LabeledDataset(train.Features, [.. train.Labels.Select(l => (l + 1) % 10)], train.FeatureCount, 10);
        (Network<float> network, Trainer<float> trainer) = Create(
            new TrainerOptions { Epochs = 30, BatchSize = 32, Schedule = LearningRateSchedule.Constant(0.1), EarlyStoppingPatience = 2 });
        var snapshots = new Dictionary<int, float[]>();

        TrainingReport report = trainer.Fit(train, contrary, onEpoch: m => snapshots[m.Epoch] = network.Parameters.ToArray());

        Assert.True(report.StoppedEarly);
        Assert.Equal(report.BestEpoch + 2, report.Epochs.Count);
        Assert.Equal(report.Epochs.Min(m => m.ValidationLoss), report.Epochs[report.BestEpoch - 1].ValidationLoss);
        Assert.Equal(snapshots[report.BestEpoch], network.Parameters.ToArray());
    }

    [Fact]
    public void AStepAllocatesNothing()
    {
        // Windows of 10 steps in the second epoch (the first warms the JIT up); a step that allocates shows in every
        // window, a one-off runtime allocation in one, so the smallest window decides.
        (_, Trainer<float> trainer) = Create(
            new TrainerOptions { Epochs = 2, BatchSize = 16, DescentDiagnostics = true }, n => new Adam<float>(n) { ClipNorm = 1 });
        var marks = new List<long>(capacity: 6);

        trainer.Fit(s_digits.Value.Train, onStep: s =>
        {
            if (s.Epoch == 2 && s.Step % 10 == 0 && marks.Count < 6)
            {
                marks.Add(GC.GetAllocatedBytesForCurrentThread());
            }
        });

        long smallest = Enumerable.Range(1, marks.Count - 1).Min(i => marks[i] - marks[i - 1]);
        Assert.Equal(0, smallest);
    }

    [Fact]
    public void ValidatesItsArguments()
    {
        var network = new Network<float>(NetworkSpec.Parse("64-32-10"), 16);

        Assert.Equal("optimizer", Assert.Throws<ArgumentException>(() => new Trainer<float>(network, new Sgd<float>(5), new TrainerOptions { BatchSize = 16 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => new Trainer<float>(network, new Sgd<float>(network.Parameters.Length), new TrainerOptions { BatchSize = 17 })).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<float>(network, new Sgd<float>(network.Parameters.Length), new TrainerOptions { Epochs = 0, BatchSize = 16 }));
        var trainer = new Trainer<float>(network, new Sgd<float>(network.Parameters.Length), new TrainerOptions { EarlyStoppingPatience = 1, BatchSize = 16 });
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => trainer.Fit(s_digits.Value.Train)).ParamName);
        var wide = new LabeledDataset(new float[65], [0], 65, 1);
        Assert.Equal("train", Assert.Throws<ArgumentException>(() => trainer.Fit(wide)).ParamName);
    }

    private static float[] OneHot(int label)
    {
        var target = new float[10];
        target[label] = 1;
        return target;
    }
}

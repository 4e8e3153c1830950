using Backprop.Simd.Cli;
using Backprop.Simd.Kernels;
using Xunit;

namespace Backprop.Simd.Tests.Cli;

public sealed class TrainOptionsTests
{
    [Fact]
    public void NoArgumentsGiveTheDigitsDefaults()
    {
        TrainOptions options = TrainOptions.Parse([]);

        Assert.Equal(TrainOptions.BundledDataPath, options.DataPath);
        Assert.Equal("64-128:relu-10:identity", options.Spec(64, 10).ToString());
        Assert.Equal(Loss.SoftmaxCrossEntropy, options.Spec(64, 10).Loss);
    }

    [Fact]
    public void ParsesEveryOption()
    {
        TrainOptions options = TrainOptions.Parse(
            ["--data", "x.csv", "--label-column", "0", "--header", "--hidden", "32-16", "--activation", "tanh", "--lr", "0.05",
             "--epochs", "3", "--batch", "8", "--seed", "-4", "--test-fraction", "0.3", "--double", "--optimizer", "AdamW",
             "--schedule", "cosine", "--weight-decay", "0.001", "--clip", "5", "--early-stopping", "2", "--validation-fraction", "0.25",
             "--scale", "standard", "--diagnostics", "--save", "m.safetensors", "--plot"]);

        Assert.Equal(
            new TrainOptions
            {
                DataPath = "x.csv", LabelColumn = 0, HasHeader = true, Hidden = "32-16", Activation = Activation.Tanh, LearningRate = 0.05,
                Epochs = 3, BatchSize = 8, Seed = -4, TestFraction = 0.3, UseDouble = true, Optimizer = "adamw", Schedule = "cosine",
                WeightDecay = 0.001, ClipNorm = 5, EarlyStoppingPatience = 2, ValidationFraction = 0.25, Scaling = "standard",
                Diagnostics = true, SavePath = "m.safetensors", PlotPath = "learning-curve.svg",
            },
            options);
        Assert.Equal("5-32:tanh-16:tanh-3:identity", options.Spec(5, 3).ToString());
        Assert.Equal("5-3:identity", TrainOptions.Parse(["--hidden", "none"]).Spec(5, 3).ToString());
        Assert.Equal("curves.svg", TrainOptions.Parse(["--plot", "curves.svg", "--epochs", "2"]).PlotPath);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--lr")]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "abc")]
    [InlineData("--epochs", "0")]
    [InlineData("--batch", "-1")]
    [InlineData("--test-fraction", "1")]
    [InlineData("--hidden", "10-x")]
    [InlineData("--activation", "swish")]
    [InlineData("--optimizer", "lbfgs")]
    [InlineData("--schedule", "cyclic")]
    [InlineData("--clip", "0")]
    [InlineData("--weight-decay", "-1")]
    [InlineData("--validation-fraction", "1")]
    [InlineData("--early-stopping", "0")]
    [InlineData("--scale", "log")]
    public void RejectsBadOptionsNamingThem(params string[] args)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TrainOptions.Parse(args));

        Assert.Contains(args.Length == 2 && args[0] == "--activation" ? args[1] : args[0], error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", error.Message.Split(" (Parameter")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void UsageDocumentsEveryOption()
    {
        foreach (string option in new[]
        {
            "--data", "--label-column", "--header", "--hidden", "--activation", "--lr", "--epochs", "--batch", "--seed", "--test-fraction",
            "--double", "--optimizer", "--schedule", "--weight-decay", "--clip", "--early-stopping", "--validation-fraction", "--scale",
            "--diagnostics", "--save", "--plot", "fashion-mnist",
        })
        {
            Assert.Contains(option, TrainOptions.Usage, StringComparison.Ordinal);
        }
    }
}

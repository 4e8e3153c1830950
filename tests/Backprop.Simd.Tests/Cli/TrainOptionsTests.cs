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
             "--epochs", "3", "--batch", "8", "--seed", "-4", "--test-fraction", "0.3", "--double"]);

        Assert.Equal(
            new TrainOptions
            {
                DataPath = "x.csv", LabelColumn = 0, HasHeader = true, Hidden = "32-16", Activation = Activation.Tanh, LearningRate = 0.05,
                Epochs = 3, BatchSize = 8, Seed = -4, TestFraction = 0.3, UseDouble = true,
            },
            options);
        Assert.Equal("5-32:tanh-16:tanh-3:identity", options.Spec(5, 3).ToString());
        Assert.Equal("5-3:identity", TrainOptions.Parse(["--hidden", "none"]).Spec(5, 3).ToString());
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
    public void RejectsBadOptionsNamingThem(params string[] args)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => TrainOptions.Parse(args));

        Assert.Contains(args.Length == 2 && args[0] == "--activation" ? args[1] : args[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageDocumentsEveryOption()
    {
        foreach (string option in new[] { "--data", "--label-column", "--header", "--hidden", "--activation", "--lr", "--epochs", "--batch", "--seed", "--test-fraction", "--double" })
        {
            Assert.Contains(option, TrainOptions.Usage, StringComparison.Ordinal);
        }
    }
}

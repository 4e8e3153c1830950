using System.Text.RegularExpressions;
using Backprop.Simd.Cli;
using Backprop.Simd.Model;
using Xunit;

namespace Backprop.Simd.Tests.Cli;

public sealed class TrainCommandTests
{
    [Fact]
    public void DefaultRunReachesTheDigitsTarget()
    {
        var output = new StringWriter();

        double accuracy = TrainCommand.Run(TrainOptions.Parse([]), output, interactive: false);

        Assert.True(accuracy >= 0.95, $"test accuracy {accuracy} < 0.95\n{output}");
        string text = output.ToString();
        Assert.Contains("epoch 40/40", text, StringComparison.Ordinal);
        Assert.Contains($"final test accuracy: {accuracy:F4}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RunIsDeterministicAndPrecisionIndependentInOutcome()
    {
        TrainOptions options = TrainOptions.Parse(["--epochs", "3"]);
        var first = new StringWriter();
        var second = new StringWriter();

        double a = TrainCommand.Run(options, first, interactive: false);
        double b = TrainCommand.Run(options, second, interactive: false);
        double d = TrainCommand.Run(options with { UseDouble = true }, new StringWriter(), interactive: false);

        Assert.Equal(a, b);
        Assert.Equal(Strip(first.ToString()), Strip(second.ToString()));
        Assert.InRange(Math.Abs(a - d), 0, 0.03);
    }

    [Fact]
    public void DivergenceNamesTheEpoch()
    {
        TrainOptions options = TrainOptions.Parse(["--lr", "1e30", "--epochs", "2"]);

        DivergenceException error = Assert.Throws<DivergenceException>(() => TrainCommand.Run(options, new StringWriter(), interactive: false));

        Assert.Matches(@"^epoch 1, step \d+: the loss is (NaN|∞|-∞)", error.Message);
        Assert.Contains("Lower the learning rate", error.Message, StringComparison.Ordinal);
    }

    // Throughput and wall time differ from run to run; everything else must not.
    private static string Strip(string log)
        => Regex.Replace(Regex.Replace(log, @"\s+[\d,.]+ samples/s", string.Empty), @"training time.*", string.Empty);
}

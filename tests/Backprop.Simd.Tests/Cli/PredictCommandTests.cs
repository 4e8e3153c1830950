using System.Globalization;
using Backprop.Simd.Cli;
using Backprop.Simd.Data;
using Xunit;

namespace Backprop.Simd.Tests.Cli;

public sealed class PredictCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-predict-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ASavedModelTakesRawFeaturesAndReproducesTheTrainedAccuracy()
    {
        string model = Path.Combine(_directory, "digits.safetensors");
        string outputs = Path.Combine(_directory, "outputs.csv");
        TrainOptions options = TrainOptions.Parse(["--epochs", "5", "--save", model]);
        var log = new StringWriter();
        TrainCommand.Run(options, log, interactive: false);

        // The whole raw dataset: its accuracy must be what the trained network gets on the scaled data, which the
        // train/test split bounds from both sides.
        double accuracy = PredictCommand.Run(["--model", model, "--outputs", outputs], new StringWriter());

        Assert.Contains($"saved     {model}", log.ToString(), StringComparison.Ordinal);
        Assert.InRange(accuracy, 0.85, 1.0);
        string[] lines = File.ReadAllLines(outputs);
        Assert.Equal(1797, lines.Length);
        Assert.All(lines, line => Assert.Equal(10, line.Split(',').Length));
        Assert.All(lines[0].Split(','), v => Assert.True(float.IsFinite(float.Parse(v, CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void FoldedScalingGivesTheSameOutputsAsScalingTheInputs()
    {
        LabeledDataset data = CsvDatasetReader.Read(TrainOptions.BundledDataPath);
        FeatureScaler scaler = FeatureScaler.FitMinMax(data);
        var network = new Simd.Model.Network<double>(Simd.Model.NetworkSpec.Parse("64-20-10"), 8, seed: 4);
        double[] raw = [.. data.Features.AsSpan(0, 8 * 64).ToArray().Select(v => (double)v)];
        var scaledData = new LabeledDataset(data.Features.AsSpan(0, 8 * 64).ToArray(), data.Labels.AsSpan(0, 8).ToArray(), 64, 10);
        scaler.Transform(scaledData);
        double[] scaled = [.. scaledData.Features.Select(v => (double)v)];

        double[] expected = network.Forward(scaled, 8).ToArray();
        double[] folded = network.Parameters.ToArray();
        scaler.FoldInto<double>(network.Layers[0], folded);
        folded.CopyTo(network.Parameters);
        double[] actual = network.Forward(raw, 8).ToArray();

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(new string[0], "'--model' is required")]
    [InlineData(new[] { "--model" }, "needs a value")]
    [InlineData(new[] { "--model", "m", "--what" }, "unknown option '--what'")]
    public void RejectsBadArguments(string[] args, string message)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => PredictCommand.Run(args, new StringWriter()));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelOfTheWrongWidthIsNamedWithTheDataFile()
    {
        string model = Path.Combine(_directory, "narrow.safetensors");
        Simd.IO.ModelFile.Save(new Simd.Model.Network<float>(Simd.Model.NetworkSpec.Parse("3-2"), 1).ToInferenceModel(), model);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => PredictCommand.Run(["--model", model], new StringWriter()));

        Assert.Contains("64 features", error.Message, StringComparison.Ordinal);
        Assert.Contains("takes 3", error.Message, StringComparison.Ordinal);
    }
}

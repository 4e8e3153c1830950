using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Simd.Data;
using Backprop.Simd.IO;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli;

/// <summary><c>backprop train</c>: load, split, scale, train with per-epoch progress, report the test accuracy.</summary>
public static class TrainCommand
{
    /// <summary>Runs the command, writing progress to <paramref name="output"/>; returns the final test accuracy.</summary>
    public static double Run(TrainOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        LabeledDataset data = CsvDatasetReader.Read(options.DataPath, options.LabelColumn, options.HasHeader);
        if (data.ClassCount < 2)
        {
            throw DataFormatError.At(options.DataPath, 0, $"needs at least 2 classes, found {data.ClassCount}");
        }

        (LabeledDataset train, LabeledDataset test) = data.StratifiedSplit(options.TestFraction, options.Seed);
        FeatureScaler scaler = FeatureScaler.FitMinMax(train);
        scaler.Transform(train);
        scaler.Transform(test);

        NetworkSpec spec = options.Spec(data.FeatureCount, data.ClassCount);
        output.WriteLine(Invariant($"data      {options.DataPath}: {data.Count} samples, {data.FeatureCount} features, {data.ClassCount} classes"));
        output.WriteLine(Invariant($"split     {train.Count} train / {test.Count} test, stratified, seed {options.Seed}; features scaled to [0, 1] on the training set"));
        output.WriteLine(Invariant($"network   {spec}, softmax cross-entropy, {(options.UseDouble ? "double" : "float")}, SGD μ = {options.LearningRate}, batch {options.BatchSize}"));
        output.WriteLine(Invariant($"simd      Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}"));
        return options.UseDouble
            ? Train<double>(options, spec, train, test, scaler, output, interactive)
            : Train<float>(options, spec, train, test, scaler, output, interactive);
    }

    private static double Train<T>(
        TrainOptions options, NetworkSpec spec, LabeledDataset train, LabeledDataset test, FeatureScaler scaler, TextWriter output, bool interactive)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(spec, options.BatchSize, options.Seed);
        var trainer = new ClassifierTrainer<T>(network, train, test, options.BatchSize, options.LearningRate, options.Seed);
        int width = options.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        int batches = trainer.BatchesPerEpoch;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            Action<int>? progress = interactive ? batch => DrawBar(output, epoch, batch + 1, batches) : null;
            EpochResult result;
            try
            {
                result = trainer.RunEpoch(epoch, progress);
            }
            catch (DivergenceException e)
            {
                throw new DivergenceException(e.Loss, $"epoch {epoch}: {e.Message}");
            }

            if (interactive)
            {
                output.Write('\r');
            }

            output.WriteLine(Invariant(
                $"epoch {epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{options.Epochs}  loss {result.MeanLoss:F4}  train acc {result.TrainAccuracy:F4}  test acc {result.TestAccuracy:F4}  {result.SamplesPerSecond,10:N0} samples/s"));
        }

        double accuracy = trainer.Accuracy(test);
        output.WriteLine(Invariant($"final test accuracy: {accuracy:F4} ({Math.Round(accuracy * test.Count)}/{test.Count})"));
        if (options.SavePath is not null)
        {
            // The saved model takes raw features: the training set's scaling becomes part of the first layer.
            T[] parameters = network.Parameters.ToArray();
            scaler.FoldInto<T>(network.Layers[0], parameters);
            ModelFile.Save(new InferenceModel<T>(spec, parameters), options.SavePath);
            output.WriteLine(Invariant($"saved     {options.SavePath} ({spec}; takes raw features, the scaling folded into the first layer)"));
        }

        return accuracy;
    }

    private static void DrawBar(TextWriter output, int epoch, int done, int total)
    {
        const int Width = 30;
        int filled = done * Width / total;
        output.Write(Invariant($"\repoch {epoch} [{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

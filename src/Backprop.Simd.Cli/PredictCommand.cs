using System.Globalization;
using System.Numerics.Tensors;
using Backprop.Simd.Data;
using Backprop.Simd.IO;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli;

/// <summary><c>backprop predict</c>: run a saved model on a labelled CSV file, report its accuracy, optionally write the outputs.</summary>
public static class PredictCommand
{
    public const string Usage = """
        Usage: backprop predict --model PATH [options]

        Runs a saved model (safetensors, e.g. from `backprop train --save`) on every sample of a labelled CSV file,
        prints its accuracy, and can write the model's outputs (logits), one line per sample.

        Options:
          --model PATH         The model file. Required.
          --data PATH          CSV file (.csv or .csv.gz) of raw features and a label. Default: the bundled digits.
          --label-column N     0-based column of the label; negative counts from the end. Default: -1 (last).
          --header             The first line is a header and is skipped.
          --outputs PATH       Write the outputs as CSV, one line per sample, in round-trip precision.
          -h, --help           Show this help.

        Exit codes: 0 done; 2 bad arguments, or a missing or malformed model or data file.
        """;

    /// <summary>Runs the command; returns the accuracy.</summary>
    /// <exception cref="ArgumentException">Missing or unknown options.</exception>
    /// <exception cref="InvalidDataException">The model or data file is malformed, or they do not fit each other.</exception>
    public static double Run(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string? modelPath = null;
        string dataPath = TrainOptions.BundledDataPath;
        string? outputsPath = null;
        int labelColumn = -1;
        bool header = false;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"option '{name}' needs a value", nameof(args));
            switch (name)
            {
                case "--model":
                    modelPath = Value();
                    break;
                case "--data":
                    dataPath = Value();
                    break;
                case "--outputs":
                    outputsPath = Value();
                    break;
                case "--label-column":
                    string text = Value();
                    labelColumn = int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int column)
                        ? column
                        : throw new ArgumentException($"option '--label-column' needs an integer, not '{text}'", nameof(args));
                    break;
                case "--header":
                    header = true;
                    break;
                default:
                    throw new ArgumentException($"unknown option '{name}' (see backprop predict --help)", nameof(args));
            }
        }

        if (modelPath is null)
        {
            throw new ArgumentException("option '--model' is required (see backprop predict --help)", nameof(args));
        }

        InferenceModel<float> model = ModelFile.Load<float>(modelPath);
        LabeledDataset data = CsvDatasetReader.Read(dataPath, labelColumn, header);
        if (data.FeatureCount != model.InputSize)
        {
            throw DataFormatError.At(dataPath, 0, $"has {data.FeatureCount} features, but the model {modelPath} takes {model.InputSize}");
        }

        var outputs = new float[data.Count * model.OutputSize];
        model.Predict(data.Features, outputs, data.Count, model.CreateWorkspace(maxBatch: 64));
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (TensorPrimitives.IndexOfMax<float>(outputs.AsSpan(i * model.OutputSize, model.OutputSize)) == data.Labels[i])
            {
                correct++;
            }
        }

        if (outputsPath is not null)
        {
            using var writer = new StreamWriter(outputsPath);
            for (int i = 0; i < data.Count; i++)
            {
                ReadOnlySpan<float> row = outputs.AsSpan(i * model.OutputSize, model.OutputSize);
                for (int j = 0; j < row.Length; j++)
                {
                    writer.Write(j == 0 ? string.Empty : ",");
                    writer.Write(row[j].ToString("R", CultureInfo.InvariantCulture));
                }

                writer.WriteLine();
            }
        }

        double accuracy = (double)correct / data.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model     {modelPath}: {model.Spec}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data      {dataPath}: {data.Count} samples"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {accuracy:F4} ({correct}/{data.Count})"));
        return accuracy;
    }
}

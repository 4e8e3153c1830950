using System.Globalization;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli;

/// <summary>The options of <c>backprop train</c>, with the defaults that train the bundled digits to ≥ 0.95.</summary>
public sealed record TrainOptions
{
    /// <summary>The bundled UCI digits, copied next to the program.</summary>
    public static string BundledDataPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    public string DataPath { get; init; } = BundledDataPath;

    public int LabelColumn { get; init; } = -1;

    public bool HasHeader { get; init; }

    /// <summary>Hidden layer sizes, e.g. <c>64</c> or <c>128-64</c>; empty for a linear model.</summary>
    public string Hidden { get; init; } = "128";

    public Activation Activation { get; init; } = Activation.Relu;

    public double LearningRate { get; init; } = 0.1;

    public int Epochs { get; init; } = 40;

    public int BatchSize { get; init; } = 16;

    public int Seed { get; init; } = 1;

    public double TestFraction { get; init; } = 0.2;

    public bool UseDouble { get; init; }

    /// <summary>Where to save the trained model (safetensors), or null.</summary>
    public string? SavePath { get; init; }

    public const string Usage = """
        Usage: backprop train [options]

        Trains a multilayer perceptron (softmax cross-entropy, mini-batch SGD) on a labelled CSV file and
        reports the accuracy on a held-out, stratified test split. With no options it trains on the bundled
        UCI handwritten digits (1,797 samples, 8x8 pixels, 10 classes).

        Options:
          --data PATH          CSV file (.csv or .csv.gz): numeric features and an integer class label per
                               line. Default: the bundled digits.
          --label-column N     0-based column of the label; negative counts from the end. Default: -1 (last).
          --header             The first line is a header and is skipped.
          --hidden SIZES       Hidden layer sizes separated by '-', e.g. 128-64; 'none' for no hidden layer.
                               Default: 128.
          --activation NAME    Hidden activation: relu, leaky-relu, gelu, tanh, sigmoid, identity. Default: relu.
          --lr RATE            Learning rate μ in W <- W - μ·∂E/∂W. Default: 0.1.
          --epochs N           Passes over the training set. Default: 40.
          --batch N            Mini-batch size. Default: 16.
          --seed N             Seed of the split, the initialization and the shuffling. Default: 1.
          --test-fraction F    Share of each class held out for testing, in (0, 1). Default: 0.2.
          --double             Train in double precision instead of float.
          --save PATH          Save the trained model as a safetensors file that takes raw (unscaled) features:
                               the scaling is folded into the first layer. Read it with `backprop predict`,
                               ModelFile.Load or the C library.
          -h, --help           Show this help.

        Exit codes: 0 trained; 1 training diverged; 2 bad arguments or a missing or malformed data file.
        """;

    /// <summary>Parses the arguments that follow <c>train</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing value, or a value out of range; the message says which.</exception>
    public static TrainOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TrainOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            options = name switch
            {
                "--data" => options with { DataPath = Value(args, ref i) },
                "--label-column" => options with { LabelColumn = Integer(args, ref i, int.MinValue) },
                "--header" => options with { HasHeader = true },
                "--hidden" => options with { Hidden = ParseHidden(Value(args, ref i)) },
                "--activation" => options with { Activation = NetworkSpec.ParseActivation(Value(args, ref i), name) },
                "--lr" => options with { LearningRate = Real(args, ref i, exclusiveMin: 0, exclusiveMax: double.PositiveInfinity) },
                "--epochs" => options with { Epochs = Integer(args, ref i, 1) },
                "--batch" => options with { BatchSize = Integer(args, ref i, 1) },
                "--seed" => options with { Seed = Integer(args, ref i, int.MinValue) },
                "--test-fraction" => options with { TestFraction = Real(args, ref i, exclusiveMin: 0, exclusiveMax: 1) },
                "--double" => options with { UseDouble = true },
                "--save" => options with { SavePath = Value(args, ref i) },
                _ => throw new ArgumentException($"unknown option '{name}' (see backprop train --help)", nameof(args)),
            };
        }

        return options;
    }

    /// <summary>The network spec for <paramref name="features"/> inputs and <paramref name="classes"/> outputs.</summary>
    public NetworkSpec Spec(int features, int classes)
    {
        string layers = Hidden.Length == 0
            ? $"{features}-{classes}"
            : $"{features}-{Hidden}-{classes}";
        return NetworkSpec.Parse(layers, Activation, Activation.Identity, Loss.SoftmaxCrossEntropy);
    }

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new ArgumentException($"option '{args[i]}' needs a value", nameof(args));
        }

        return args[++i];
    }

    private static int Integer(IReadOnlyList<string> args, ref int i, int min)
    {
        string name = args[i];
        string text = Value(args, ref i);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min)
        {
            throw new ArgumentException($"option '{name}' needs an integer{(min > int.MinValue ? $" ≥ {min}" : "")}, not '{text}'", nameof(args));
        }

        return value;
    }

    private static double Real(IReadOnlyList<string> args, ref int i, double exclusiveMin, double exclusiveMax)
    {
        string name = args[i];
        string text = Value(args, ref i);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > exclusiveMin && value < exclusiveMax))
        {
            throw new ArgumentException($"option '{name}' needs a number in ({exclusiveMin}, {exclusiveMax}), not '{text}'", nameof(args));
        }

        return value;
    }

    private static string ParseHidden(string text)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return string.Empty;
        }

        foreach (string part in text.Split('-'))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size <= 0)
            {
                throw new ArgumentException($"option '--hidden' needs positive sizes separated by '-', e.g. 128-64, not '{text}'", nameof(text));
            }
        }

        return text;
    }
}

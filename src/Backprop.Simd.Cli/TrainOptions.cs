using System.Globalization;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli;

/// <summary>The options of <c>backprop train</c>, with the defaults that train the bundled digits to ≥ 0.95.</summary>
public sealed record TrainOptions
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the data.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The bundled UCI digits, copied next to the program.</summary>
    public static string BundledDataPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>A CSV file, a directory of MNIST-family IDX files, or "fashion-mnist".</summary>
    public string DataPath { get; init; } = BundledDataPath;

    public int LabelColumn { get; init; } = -1;

    public bool HasHeader { get; init; }

    /// <summary>Hidden layer sizes, e.g. <c>128</c> or <c>256-128</c>; empty for a linear model.</summary>
    public string Hidden { get; init; } = "128";

    public Activation Activation { get; init; } = Activation.Relu;

    public string Optimizer { get; init; } = "sgd";

    public double LearningRate { get; init; } = 0.1;

    public string Schedule { get; init; } = "constant";

    public double? ClipNorm { get; init; }

    /// <summary>L2 weight decay, or null for the optimizer's default (0; 0.01 for AdamW).</summary>
    public double? WeightDecay { get; init; }

    public int Epochs { get; init; } = 40;

    public int BatchSize { get; init; } = 16;

    public int Seed { get; init; } = 1;

    /// <summary>Share of each class held out for testing, for a CSV file (IDX sets come with their own test set).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the training set held out for validation; 0 for none (early stopping then takes 0.1).</summary>
    public double ValidationFraction { get; init; }

    public int? EarlyStoppingPatience { get; init; }

    public string Scaling { get; init; } = "minmax";

    public bool Diagnostics { get; init; }

    public bool UseDouble { get; init; }

    /// <summary>Where to save the trained model (safetensors), or null.</summary>
    public string? SavePath { get; init; }

    /// <summary>Where to write the learning curves (SVG), or null.</summary>
    public string? PlotPath { get; init; }

    public const string Usage = """
        Usage: backprop train [options]

        Trains a multilayer perceptron (softmax cross-entropy) on a labelled dataset and reports its accuracy on a
        held-out test set. With no options it trains on the bundled UCI handwritten digits (1,797 samples, 8x8
        pixels, 10 classes) with mini-batch SGD.

        Data:
          --data SOURCE         A CSV file (.csv or .csv.gz: numeric features and an integer label per line), a
                                directory of MNIST-family IDX files ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]),
                                or fashion-mnist (Debian: apt-get install dataset-fashion-mnist). Default: the bundled digits.
          --label-column N      CSV: 0-based column of the label; negative counts from the end. Default: -1 (last).
          --header              CSV: the first line is a header and is skipped.
          --test-fraction F     CSV: share of each class held out for testing, in (0, 1). Default: 0.2.
          --validation-fraction F
                                Share of the training set held out for validation, in [0, 1). Default: 0
                                (0.1 with --early-stopping).
          --scale KIND          Feature scaling fitted on the training set: minmax, standard or none. Default: minmax.

        Model:
          --hidden SIZES        Hidden layer sizes separated by '-', e.g. 256-128; 'none' for no hidden layer. Default: 128.
          --activation NAME     Hidden activation: relu, leaky-relu, gelu, tanh, sigmoid, identity. Default: relu.
          --double              Train in double precision instead of float.

        Optimization:
          --optimizer NAME      sgd, momentum (0.9), nesterov (0.9), adam, adamw or rmsprop. Default: sgd.
          --lr RATE             Learning rate μ (the schedule's peak). Default: 0.1.
          --schedule NAME       constant, step (×0.5 every third of the run), exp (down to μ/100 at the end) or
                                cosine (one epoch of linear warm-up, then cosine to 0). Default: constant.
          --weight-decay λ      L2 weight decay (decoupled for adamw). Default: 0 (0.01 for adamw).
          --clip NORM           Clip the gradient to this global L2 norm. Default: no clipping.
          --epochs N            Passes over the training set. Default: 40.
          --batch N             Mini-batch size. Default: 16.
          --early-stopping N    Stop after N epochs without a better validation loss; keep the best weights.
          --seed N              Seed of the split, the initialization and the shuffling. Default: 1.
          --diagnostics         Per step, compare the loss decrease with the first-order prediction −g·Δw and
                                summarise the ratio per epoch (costs one extra forward pass per step).

        Output:
          --save PATH           Save the trained model as safetensors; it takes raw features (the scaling is folded
                                into the first layer). Read it with `backprop predict`, ModelFile.Load or libbackprop.
          --plot [PATH]         Write the learning curves (loss and accuracy per epoch) as SVG. Default PATH:
                                learning-curve.svg.
          -h, --help            Show this help.

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
                "--test-fraction" => options with { TestFraction = Real(args, ref i, 0, 1, minInclusive: false) },
                "--validation-fraction" => options with { ValidationFraction = Real(args, ref i, 0, 1, minInclusive: true) },
                "--scale" => options with { Scaling = OneOf(args, ref i, "minmax", "standard", "none") },
                "--hidden" => options with { Hidden = ParseHidden(Value(args, ref i)) },
                "--activation" => options with { Activation = NetworkSpec.ParseActivation(Value(args, ref i), name) },
                "--double" => options with { UseDouble = true },
                "--optimizer" => options with { Optimizer = OneOf(args, ref i, "sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop") },
                "--lr" => options with { LearningRate = Real(args, ref i, 0, double.PositiveInfinity, minInclusive: false) },
                "--schedule" => options with { Schedule = OneOf(args, ref i, "constant", "step", "exp", "cosine") },
                "--weight-decay" => options with { WeightDecay = Real(args, ref i, 0, double.PositiveInfinity, minInclusive: true) },
                "--clip" => options with { ClipNorm = Real(args, ref i, 0, double.PositiveInfinity, minInclusive: false) },
                "--epochs" => options with { Epochs = Integer(args, ref i, 1) },
                "--batch" => options with { BatchSize = Integer(args, ref i, 1) },
                "--early-stopping" => options with { EarlyStoppingPatience = Integer(args, ref i, 1) },
                "--seed" => options with { Seed = Integer(args, ref i, int.MinValue) },
                "--diagnostics" => options with { Diagnostics = true },
                "--save" => options with { SavePath = Value(args, ref i) },
                "--plot" => options with { PlotPath = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "learning-curve.svg" },
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

    private static string OneOf(IReadOnlyList<string> args, ref int i, params string[] choices)
    {
        string name = args[i];
        string value = Value(args, ref i).ToLowerInvariant();
        return choices.Contains(value)
            ? value
            : throw new ArgumentException($"option '{name}' takes one of {string.Join(", ", choices)}, not '{value}'", nameof(args));
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

    private static double Real(IReadOnlyList<string> args, ref int i, double min, double max, bool minInclusive)
    {
        string name = args[i];
        string text = Value(args, ref i);
        bool parsed = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value);
        if (!parsed || !(minInclusive ? value >= min : value > min) || !(value < max))
        {
            string range = double.IsPositiveInfinity(max)
                ? (minInclusive ? $"≥ {min}" : $"> {min}")
                : $"in {(minInclusive ? "[" : "(")}{min}, {max})";
            throw new ArgumentException($"option '{name}' needs a number {range}, not '{text}'", nameof(args));
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
                throw new ArgumentException($"option '--hidden' needs positive sizes separated by '-', e.g. 256-128, not '{text}'", nameof(text));
            }
        }

        return text;
    }
}

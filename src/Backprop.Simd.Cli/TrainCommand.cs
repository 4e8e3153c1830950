using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using Backprop.Simd.Data;
using Backprop.Simd.IO;
using Backprop.Simd.Model;
using Backprop.Simd.Optimizers;
using Backprop.Simd.Training;
using Spectre.Console;

namespace Backprop.Simd.Cli;

/// <summary>
/// <c>backprop train</c>: load, split, scale, train with live progress (a progress bar on a terminal, one line per
/// epoch otherwise), then report the test accuracy, a summary table, and optionally save the model and plot the
/// learning curves.
/// </summary>
public static class TrainCommand
{
    /// <summary>Runs the command, writing to <paramref name="output"/>; returns the final test accuracy.</summary>
    /// <exception cref="ArgumentException">The options do not fit the data.</exception>
    /// <exception cref="InvalidDataException">The data file is malformed.</exception>
    /// <exception cref="DivergenceException">Training diverged; the message names the epoch and step.</exception>
    public static double Run(TrainOptions options, TextWriter output, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });

        (LabeledDataset train, LabeledDataset test, string source) = Load(options);
        LabeledDataset? validation = null;
        double validationFraction = options.ValidationFraction > 0 ? options.ValidationFraction : options.EarlyStoppingPatience is null ? 0 : 0.1;
        if (validationFraction > 0)
        {
            (train, validation) = train.StratifiedSplit(validationFraction, options.Seed);
        }

        FeatureScaler? scaler = options.Scaling switch
        {
            "minmax" => FeatureScaler.FitMinMax(train),
            "standard" => FeatureScaler.FitStandard(train),
            _ => null,
        };
        scaler?.Transform(train);
        scaler?.Transform(test);
        if (validation is not null)
        {
            scaler?.Transform(validation);
        }

        int classes = Math.Max(train.ClassCount, test.ClassCount);
        NetworkSpec spec = options.Spec(train.FeatureCount, classes);
        output.WriteLine(Invariant($"data      {source}: {train.Count + test.Count + (validation?.Count ?? 0)} samples, {train.FeatureCount} features, {classes} classes"));
        output.WriteLine(Invariant($"split     {train.Count} train / {validation?.Count ?? 0} validation / {test.Count} test, seed {options.Seed}; scaling {options.Scaling}, fitted on the training set"));
        output.WriteLine(Invariant($"network   {spec}, softmax cross-entropy, {(options.UseDouble ? "double" : "float")}"));
        output.WriteLine(Invariant($"training  {options.Optimizer}, μ = {options.LearningRate}, {options.Schedule} schedule, batch {options.BatchSize}, {options.Epochs} epochs{(options.WeightDecay is double decay ? $", weight decay {decay}" : "")}{(options.ClipNorm is double clip ? $", clip {clip}" : "")}{(options.EarlyStoppingPatience is int p ? $", early stopping after {p}" : "")}"));
        output.WriteLine(Invariant($"simd      Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}"));
        return options.UseDouble
            ? Train<double>(options, spec, train, validation, test, scaler, console, output, interactive)
            : Train<float>(options, spec, train, validation, test, scaler, console, output, interactive);
    }

    private static (LabeledDataset Train, LabeledDataset Test, string Source) Load(TrainOptions options)
    {
        string path = options.DataPath;
        if (path.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase))
        {
            if (!Directory.Exists(TrainOptions.FashionMnistDirectory))
            {
                throw new FileNotFoundException(
                    $"{TrainOptions.FashionMnistDirectory}: not found; install Fashion-MNIST with `apt-get install dataset-fashion-mnist` (Debian), or pass --data DIRECTORY.");
            }

            path = TrainOptions.FashionMnistDirectory;
        }

        if (Directory.Exists(path))
        {
            return (IdxDatasetReader.ReadDirectory(path, training: true), IdxDatasetReader.ReadDirectory(path, training: false), path);
        }

        LabeledDataset data = CsvDatasetReader.Read(path, options.LabelColumn, options.HasHeader);
        if (data.ClassCount < 2)
        {
            throw DataFormatError.At(path, 0, $"needs at least 2 classes, found {data.ClassCount}");
        }

        (LabeledDataset train, LabeledDataset test) = data.StratifiedSplit(options.TestFraction, options.Seed);
        return (train, test, path);
    }

    private static double Train<T>(
        TrainOptions options,
        NetworkSpec spec,
        LabeledDataset train,
        LabeledDataset? validation,
        LabeledDataset test,
        FeatureScaler? scaler,
        IAnsiConsole console,
        TextWriter output,
        bool interactive)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var network = new Network<T>(spec, options.BatchSize, options.Seed);
        Optimizer<T> optimizer = CreateOptimizer<T>(options, network.Parameters.Length);
        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var trainer = new Trainer<T>(network, optimizer, new TrainerOptions
        {
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.Seed,
            Schedule = CreateSchedule(options, stepsPerEpoch),
            EarlyStoppingPatience = options.EarlyStoppingPatience,
            DescentDiagnostics = options.Diagnostics,
        });

        int width = options.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        string Line(EpochMetrics m)
        {
            string epoch = Invariant($"epoch {m.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{options.Epochs}");
            string validationPart = double.IsNaN(m.ValidationLoss) ? string.Empty : Invariant($"  val loss {m.ValidationLoss:F4}  val acc {m.ValidationAccuracy:F4}");
            string descent = m.Descent is DescentSummary d ? Invariant($"  descent {d.MedianRatio:F3} ({d.NonDescending}/{d.Steps} up)") : string.Empty;
            return Invariant($"{epoch}  loss {m.TrainLoss:F4}  train acc {m.TrainAccuracy:F4}{validationPart}  lr {m.LearningRate:G3}{descent}  {m.SamplesPerSecond,10:N0} samples/s");
        }

        long start = Stopwatch.GetTimestamp();
        TrainingReport report;
        if (interactive)
        {
            report = console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask("epoch 1", maxValue: (double)options.Epochs * stepsPerEpoch);
                    long epochStart = Stopwatch.GetTimestamp();
                    double lastAccuracy = double.NaN;
                    return trainer.Fit(
                        train,
                        validation,
                        onEpoch: m =>
                        {
                            console.MarkupLineInterpolated($"[grey]{Line(m)}[/]");
                            lastAccuracy = m.TrainAccuracy;
                            epochStart = Stopwatch.GetTimestamp();
                        },
                        onStep: s =>
                        {
                            task.Increment(1);
                            if (s.Step == s.StepsPerEpoch || s.Step % 16 == 0)
                            {
                                // Live: the step's loss, the last epoch's accuracy and this epoch's throughput so far.
                                double rate = s.Step * (double)options.BatchSize / Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
                                string accuracy = double.IsNaN(lastAccuracy) ? "–" : Invariant($"{lastAccuracy:F3}");
                                task.Description = Invariant($"epoch {s.Epoch}/{options.Epochs}  loss {s.Loss:F4}  acc {accuracy}  {rate:N0} samples/s");
                            }
                        });
                });
        }
        else
        {
            report = trainer.Fit(train, validation, onEpoch: m => output.WriteLine(Line(m)));
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        foreach (string warning in report.Warnings)
        {
            output.WriteLine($"warning   {warning}");
        }

        Evaluation result = trainer.Evaluate(test);
        WriteSummary(console, report, result, seconds, test.Count);
        output.WriteLine(Invariant($"final test accuracy: {result.Accuracy:F4} ({Math.Round(result.Accuracy * test.Count)}/{test.Count})"));

        if (options.PlotPath is not null)
        {
            LearningCurvePlot.Write(report, options.PlotPath, Invariant($"{spec}, {options.Optimizer} μ = {options.LearningRate}"));
            output.WriteLine(Invariant($"plot      {options.PlotPath}"));
        }

        if (options.SavePath is not null)
        {
            // The saved model takes raw features: the training set's scaling becomes part of the first layer.
            T[] parameters = network.Parameters.ToArray();
            scaler?.FoldInto<T>(network.Layers[0], parameters);
            ModelFile.Save(new InferenceModel<T>(spec, parameters), options.SavePath);
            output.WriteLine(Invariant($"saved     {options.SavePath} ({spec}; takes raw features, the scaling folded into the first layer)"));
        }

        return result.Accuracy;
    }

    private static void WriteSummary(IAnsiConsole console, TrainingReport report, Evaluation result, double seconds, int testCount)
    {
        EpochMetrics best = report.Epochs[report.BestEpoch - 1];
        var table = new Table().Border(TableBorder.Rounded).AddColumn("summary").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("epochs run", Invariant($"{report.Epochs.Count}{(report.StoppedEarly ? " (stopped early)" : string.Empty)}"));
        table.AddRow("weights from epoch", Invariant($"{report.BestEpoch}"));
        table.AddRow("training time", Invariant($"{seconds:F1} s"));
        table.AddRow("train loss / accuracy", Invariant($"{best.TrainLoss:F4} / {best.TrainAccuracy:F4}"));
        if (!double.IsNaN(best.ValidationLoss))
        {
            table.AddRow("validation loss / accuracy", Invariant($"{best.ValidationLoss:F4} / {best.ValidationAccuracy:F4}"));
        }

        table.AddRow("test loss / accuracy", Invariant($"{result.Loss:F4} / {result.Accuracy:F4} ({testCount} samples)"));
        string recalls = string.Join(" ", Enumerable.Range(0, result.Confusion.Classes).Select(c => Invariant($"{c}:{result.Confusion.Recall(c):F2}")));
        table.AddRow("test recall per class", Markup.Escape(recalls));
        console.Write(table);
    }

    private static Optimizer<T> CreateOptimizer<T>(TrainOptions options, int parameters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double decay = options.WeightDecay ?? 0;
        return options.Optimizer switch
        {
            "sgd" => new Sgd<T>(parameters, weightDecay: decay) { ClipNorm = options.ClipNorm },
            "momentum" => new Sgd<T>(parameters, momentum: 0.9, weightDecay: decay) { ClipNorm = options.ClipNorm },
            "nesterov" => new Sgd<T>(parameters, momentum: 0.9, nesterov: true, weightDecay: decay) { ClipNorm = options.ClipNorm },
            "adam" => new Adam<T>(parameters, weightDecay: decay) { ClipNorm = options.ClipNorm },
            "adamw" => new AdamW<T>(parameters, weightDecay: options.WeightDecay ?? 0.01) { ClipNorm = options.ClipNorm },
            "rmsprop" => new RmsProp<T>(parameters, weightDecay: decay) { ClipNorm = options.ClipNorm },
            _ => throw new ArgumentException($"unknown optimizer '{options.Optimizer}'", nameof(options)),
        };
    }

    private static LearningRateSchedule CreateSchedule(TrainOptions options, int stepsPerEpoch)
    {
        long total = (long)options.Epochs * stepsPerEpoch;
        return options.Schedule switch
        {
            "constant" => LearningRateSchedule.Constant(options.LearningRate),
            "step" => LearningRateSchedule.StepDecay(options.LearningRate, Math.Max(1, total / 3), 0.5),
            "exp" => LearningRateSchedule.Exponential(options.LearningRate, Math.Pow(0.01, 1.0 / Math.Max(1, total))),
            "cosine" => LearningRateSchedule.CosineWithWarmup(options.LearningRate, Math.Min(stepsPerEpoch, total / 2), total),
            _ => throw new ArgumentException($"unknown schedule '{options.Schedule}'", nameof(options)),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

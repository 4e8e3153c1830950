using Backprop.Simd.Cli;
using Backprop.Simd.Model;

const string Usage = """
    backprop: trains dense neural networks by backpropagation on the CPU, with SIMD kernels.

    Usage:
      backprop train [options]     train a classifier (no options: the bundled UCI digits)
      backprop train --help        the options of train
      backprop predict --model M   run a saved model on a labelled CSV file (see backprop predict --help)
      backprop --help              this text
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    (args.Length == 0 ? Console.Error : Console.Out).WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

if (args[0] is not ("train" or "predict"))
{
    Console.Error.WriteLine($"backprop: unknown command '{args[0]}' (try backprop --help)");
    return 2;
}

string[] rest = args[1..];
if (rest.Contains("-h") || rest.Contains("--help"))
{
    Console.WriteLine(args[0] == "train" ? TrainOptions.Usage : PredictCommand.Usage);
    return 0;
}

try
{
    if (args[0] == "train")
    {
        TrainCommand.Run(TrainOptions.Parse(rest), Console.Out, interactive: !Console.IsOutputRedirected);
    }
    else
    {
        PredictCommand.Run(rest, Console.Out);
    }

    return 0;
}
catch (DivergenceException e)
{
    Console.Error.WriteLine($"backprop: training diverged: {e.Message}");
    return 1;
}
catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
{
    // One line: a bad option names itself; a bad data file names the file and the line.
    string message = e is ArgumentException { ParamName: { } name } argument
        ? argument.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
        : e.Message;
    Console.Error.WriteLine($"backprop: {message}");
    return 2;
}

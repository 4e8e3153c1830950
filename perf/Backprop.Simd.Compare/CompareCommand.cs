using System.Globalization;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Compare;

/// <summary>The command line: parses the options, compares the two files, prints the table, returns the exit code.</summary>
public static class CompareCommand
{
    /// <summary>No regression (and no allocation rise).</summary>
    public const int Passed = 0;

    /// <summary>A significant regression beyond the failing threshold, or a rise in allocated bytes per operation.</summary>
    public const int Regressed = 1;

    /// <summary>Bad options or an unusable file.</summary>
    public const int BadInput = 2;

    public const string Usage = """
        Backprop.Simd.Compare: compares two normalized benchmark runs and fails on regressions.

        Usage:
          dotnet run -c Release --project perf/Backprop.Simd.Compare -- <baseline.json> <candidate.json> [options]
          dotnet run -c Release --project perf/Backprop.Simd.Compare -- merge <out.json> <round.json>...

        The files are the *-normalized.json that perf/Backprop.Simd.Benchmarks writes to
        BenchmarkDotNet.Artifacts/results/. Benchmarks are matched by ID; the medians of their normalized figures
        (% of FMA peak, % of triad, × latency reference; raw ns where a file lacks the probes) are compared, and a
        two-sided Mann-Whitney U test over the iterations says whether a change is significant.

        merge writes one file holding several rounds of the same job (each round's iterations and median, kept per
        benchmark); compared, a row's threshold widens to the spread of its rounds' medians, the run-to-run noise
        that one run's iterations cannot show.

        Options:
          --threshold <percent>         a change smaller than this is "same"; a significant worsening beyond it is
                                        "regressed" and, in strict mode, fails the run (default 5)
          --fail-only-beyond <percent>  reporting mode: print every verdict, but fail only on significant regressions
                                        beyond this (e.g. 25) plus the row's spread between rounds, and on
                                        allocation rises
          --allocations-only            fail only on allocation rises, print every verdict: for a baseline from
                                        another CPU, whose normalized figures cannot judge this one
          --alpha <p>                   significance level of the test (default 0.05)
          -h, --help                    this text

        Exit codes: 0 no regression; 1 a significant regression beyond the failing threshold, or any rise in
        allocated bytes per operation (in every mode); 2 bad options or an unusable file (missing, malformed, another
        schema version, no benchmark in common).
        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Any(a => a is "-h" or "--help"))
        {
            output.WriteLine(Usage);
            return Passed;
        }

        try
        {
            if (args is ["merge", ..])
            {
                return Merge(args[1..], output);
            }

            (string baselinePath, string candidatePath, ComparisonOptions options) = ParseArguments(args);
            ResultsFile baseline = ResultsFile.Read(baselinePath);
            ResultsFile candidate = ResultsFile.Read(candidatePath);
            ComparisonResult result = Comparison.Compare(baseline, baselinePath, candidate, candidatePath, options);
            ComparisonReport.Write(output, baseline, baselinePath, candidate, candidatePath, result, options);
            return result.Failed ? Regressed : Passed;
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"compare: {e.Message}");
            error.WriteLine("compare: see --help for the usage");
            return BadInput;
        }
        catch (ResultsFileException e)
        {
            error.WriteLine($"compare: {e.Message}");
            return BadInput;
        }
    }

    // merge <out.json> <round.json>...: the rounds read and checked, merged, written.
    private static int Merge(string[] args, TextWriter output)
    {
        if (args.Length < 2 || args.Any(a => a.StartsWith('-')))
        {
            throw new ArgumentException($"merge expects <out.json> <round.json>...; got {args.Length} argument(s)");
        }

        if (args[1..].GroupBy(Path.GetFullPath).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"merge got '{twice.First()}' more than once: a round counted twice would shrink the spread");
        }

        (string Path, ResultsFile Run)[] rounds = [.. args[1..].Select(path => (path, ResultsFile.Read(path)))];
        ResultsFile merged = Rounds.Merge(rounds);
        try
        {
            File.WriteAllText(args[0], ResultsFile.Serialize(merged));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFileException(args[0], $"cannot write the merged file: {e.Message}", e);
        }

        output.WriteLine($"merged {rounds.Length} round(s) of {merged.Benchmarks.Count} benchmark(s) into {args[0]}");
        return Passed;
    }

    /// <exception cref="ArgumentException">A wrong number of files, an unknown option or a bad value.</exception>
    internal static (string Baseline, string Candidate, ComparisonOptions Options) ParseArguments(IReadOnlyList<string> args)
    {
        var files = new List<string>();
        double threshold = 5, alpha = 0.05;
        double? failBeyond = null;
        bool allocationsOnly = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--threshold":
                    threshold = Number(args, ref i, 0, 1000);
                    break;
                case "--fail-only-beyond":
                    failBeyond = Number(args, ref i, 0, 1000);
                    break;
                case "--allocations-only":
                    allocationsOnly = true;
                    break;
                case "--alpha":
                    alpha = Number(args, ref i, double.Epsilon, 1);
                    break;
                case ['-', ..] when args[i].Length > 1:
                    throw new ArgumentException($"unknown option '{args[i]}'");
                default:
                    files.Add(args[i]);
                    break;
            }
        }

        if (files.Count != 2)
        {
            throw new ArgumentException($"expected two files, <baseline.json> <candidate.json>; got {files.Count}");
        }

        if (allocationsOnly)
        {
            if (failBeyond is not null)
            {
                throw new ArgumentException("--allocations-only and --fail-only-beyond exclude each other: give one mode");
            }

            failBeyond = double.PositiveInfinity;
        }

        if (failBeyond < threshold)
        {
            throw new ArgumentException(Invariant($"--fail-only-beyond {failBeyond} is below --threshold {threshold}: reporting mode fails on less than strict mode would"));
        }

        return (files[0], files[1], new ComparisonOptions(threshold, failBeyond, alpha));
    }

    private static double Number(IReadOnlyList<string> args, ref int i, double low, double high)
    {
        string option = args[i];
        if (++i >= args.Count)
        {
            throw new ArgumentException($"{option} needs a value");
        }

        if (!double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= low && value <= high))
        {
            throw new ArgumentException(Invariant($"{option} '{args[i]}' is not a number from {low:G3} to {high:G3}"));
        }

        return value;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

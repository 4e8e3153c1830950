using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Validators;
using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>
/// Refuses to run an engine benchmark that does not say how it is normalized, or whose compute or bandwidth row has
/// no work per operation: without them its regressions could only be judged in raw time, which drifts.
/// </summary>
internal sealed class NormalizeValidator : IValidator
{
    public static readonly NormalizeValidator Default = new();

    public bool TreatsWarningsAsErrors => true;

    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        foreach (var benchmarkCase in validationParameters.Benchmarks.Where(b => !RunProbes.IsProbe(b)))
        {
            NormalizeAttribute? declared = NormalizedResults.Declared(benchmarkCase);
            string? problem = declared switch
            {
                null => "has no [Normalize(kind)]: say whether it is compute-, bandwidth- or latency-bound",
                { Kind: BenchmarkKind.Probe } => "is not a probe: probes live in Probes/",
                { Kind: BenchmarkKind.Compute or BenchmarkKind.Bandwidth } when NormalizedResults.WorkOf(benchmarkCase, declared) is not > 0
                    => $"declares no positive work per operation (Work = {declared.Work}, Per = '{declared.Per}': a numeric or IHasWork parameter)",
                _ => null,
            };
            if (problem is not null)
            {
                yield return new ValidationError(true, $"{FullNameProvider.GetBenchmarkName(benchmarkCase)} {problem}.", benchmarkCase);
            }
        }
    }
}

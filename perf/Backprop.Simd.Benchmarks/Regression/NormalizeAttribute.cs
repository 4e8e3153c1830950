using Backprop.Simd.Compare.Contract;

namespace Backprop.Simd.Benchmarks.Regression;

/// <summary>
/// How an engine benchmark is normalized in the results file (perf/README.md, "Regression tracking"): compute rows as
/// % of the run's FMA peak, bandwidth rows as % of its triad, latency rows as a multiple of its latency reference.
/// Compute and bandwidth rows state their work per operation: <see cref="Work"/> flops or bytes, times the value of
/// the parameter named by <see cref="Per"/> when there is one (a number, or an <see cref="IHasWork"/>).
/// </summary>
/// <example><c>[Normalize(BenchmarkKind.Bandwidth, Work = 12, Per = nameof(Elements))]</c>: 12 bytes per element.</example>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NormalizeAttribute(BenchmarkKind kind) : Attribute
{
    public BenchmarkKind Kind { get; } = kind;

    /// <summary>Flops (compute) or bytes (bandwidth) per operation, or per unit of <see cref="Per"/>.</summary>
    public double Work { get; set; } = 1;

    /// <summary>The benchmark parameter that scales <see cref="Work"/>, if any.</summary>
    public string? Per { get; set; }
}

/// <summary>A benchmark parameter that knows the work of one operation (flops or bytes), e.g. a layer's shape.</summary>
public interface IHasWork
{
    double Work { get; }
}

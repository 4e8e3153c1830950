using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Backprop.Simd.Peers.Infrastructure;

/// <summary>The floating-point operations one call of the benchmark performs (2 per multiply-add of its products).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FlopsAttribute(double flops) : Attribute
{
    public double Flops { get; } = flops;
}

/// <summary>A benchmark parameter that knows the flops of one call (for shapes given by [ParamsSource]).</summary>
public interface IHasFlops
{
    double Flops { get; }
}

/// <summary>
/// <c>GFLOP/s</c> = flops per call / median ns per call (the median: this VM's speed drifts within a run, and one slow
/// stretch moves a mean far more), from the method's <see cref="FlopsAttribute"/> or an
/// <see cref="IHasFlops"/> parameter; divide by the FMA peak of the machine (BENCHMARKS.md) for the fraction of it.
/// </summary>
public sealed class FlopsColumn : IColumn
{
    public string Id => nameof(FlopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations per call (2 per multiply-add) divided by the median time per call, in GFLOP/s";

    /// <summary>The flops of one call of <paramref name="benchmarkCase"/>, or null if it declares none.</summary>
    public static double? FlopsOf(BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<FlopsAttribute>()?.Flops
            ?? benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IHasFlops>().FirstOrDefault()?.Flops;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = FlopsOf(benchmarkCase);
        double? medianNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Median;
        return flops is null || medianNanoseconds is not > 0
            ? "-"
            : (flops.Value / medianNanoseconds.Value).ToString("N1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

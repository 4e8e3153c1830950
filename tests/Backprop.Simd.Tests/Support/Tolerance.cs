using System.Globalization;
using System.Numerics;
using Xunit;

namespace Backprop.Simd.Tests.Support;

/// <summary>Element-wise comparison with a relative tolerance on a bound and an absolute floor.</summary>
internal static class Tolerance
{
    /// <summary>The unit roundoff u of <typeparamref name="T"/>: 2⁻²⁴ for float, 2⁻⁵³ for double.</summary>
    public static double UnitRoundoff<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);

    /// <summary>
    /// Asserts <c>|actual − expected| ≤ relative·bound + absolute</c> element by element, where bound is
    /// <paramref name="bound"/>[i] when given, else <c>|expected[i]|</c>. NaN must meet NaN, ±∞ the same infinity.
    /// </summary>
    public static void Close<TExpected, TActual>(
        ReadOnlySpan<TExpected> expected,
        ReadOnlySpan<TActual> actual,
        double relative,
        double absolute,
        string context,
        ReadOnlySpan<TExpected> bound = default)
        where TExpected : unmanaged, IBinaryFloatingPointIeee754<TExpected>
        where TActual : unmanaged, IBinaryFloatingPointIeee754<TActual>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateTruncating(expected[i]);
            double a = double.CreateTruncating(actual[i]);
            double scale = bound.IsEmpty ? Math.Abs(e) : Math.Abs(double.CreateTruncating(bound[i]));
            Scalar(e, a, relative * scale + absolute, context, i);
        }
    }

    /// <summary>Asserts one value: NaN meets NaN, ±∞ the same infinity, otherwise <c>|a − e| ≤ allowance</c>.</summary>
    public static void Scalar(double expected, double actual, double allowance, string context, int index = -1)
    {
        bool ok;
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            ok = double.IsNaN(expected) && double.IsNaN(actual);
        }
        else if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            ok = expected == actual;
        }
        else
        {
            ok = Math.Abs(actual - expected) <= allowance;
        }

        if (!ok)
        {
            Assert.Fail(string.Create(
                CultureInfo.InvariantCulture,
                $"{context}: element {index}: expected {expected:R}, actual {actual:R}, |diff| {Math.Abs(actual - expected):R} > allowed {allowance:R}"));
        }
    }
}

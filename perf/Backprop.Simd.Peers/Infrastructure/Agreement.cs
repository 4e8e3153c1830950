using System.Globalization;

namespace Backprop.Simd.Peers.Infrastructure;

/// <summary>One comparison of a peer's result with the reference (the engine's, or the naive oracle's for the engine).</summary>
/// <param name="Workload">The benchmark category, e.g. <c>W1-784-128-10</c>.</param>
/// <param name="Peer">Who was compared.</param>
/// <param name="MaxRelativeError">The largest error over all compared tensors (see <see cref="Agreement"/>).</param>
/// <param name="Worst">The tensor where it occurred.</param>
internal sealed record AgreementResult(string Workload, string Peer, double MaxRelativeError, string Worst)
{
    /// <summary>Whether the error is within <see cref="Agreement.Tolerance"/> (NaN never is).</summary>
    public bool Agrees => MaxRelativeError <= Agreement.Tolerance;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Workload,-22} {Peer,-34} max rel err {MaxRelativeError,9:0.0e+00} ({Worst}) {(Agrees ? "ok" : "DISAGREES")}");
}

/// <summary>
/// The gate before anything is timed: each [GlobalSetup] runs every peer once on the engine's weights and inputs and
/// compares the results here; <see cref="ThrowIfAnyDisagrees"/> then fails the setup (and so the benchmark) if one
/// differs. The error of a tensor is <c>max_i |a_i − e_i| / max(|e_i|, rms(e))</c>: relative, with the tensor's RMS as
/// the floor so that entries which cancel to near zero (a 1024-term dot product, a tiny weight step) are judged on the
/// tensor's scale rather than their own. Every comparison is also kept in <see cref="All"/> for the check verb.
/// </summary>
internal sealed class Agreement
{
    /// <summary>The largest error accepted: float32 results of the same math, summed in another order, are ~1e-6 apart.</summary>
    public const double Tolerance = 1e-4;

    private static readonly List<AgreementResult> s_all = [];
    private readonly List<AgreementResult> _results = [];

    /// <summary>Every comparison made in this process, in order.</summary>
    public static IReadOnlyList<AgreementResult> All
    {
        get
        {
            lock (s_all)
            {
                return [.. s_all];
            }
        }
    }

    /// <summary>Compares one or more tensors of <paramref name="peer"/> with the reference and records one result.</summary>
    public AgreementResult Compare(string workload, string peer, params (string What, float[] Expected, float[] Actual)[] tensors)
    {
        double worst = 0;
        string where = tensors.Length > 0 ? tensors[0].What : "-";
        foreach ((string what, float[] expected, float[] actual) in tensors)
        {
            double error = Error(expected, actual);
            if (!(error <= worst))
            {
                (worst, where) = (error, what);
            }
        }

        var result = new AgreementResult(workload, peer, worst, where);
        _results.Add(result);
        lock (s_all)
        {
            s_all.Add(result);
        }

        return result;
    }

    /// <exception cref="PeerDisagreesException">A peer disagreed: it computes something else and must not be timed.</exception>
    public void ThrowIfAnyDisagrees()
    {
        var failed = _results.Where(r => !r.Agrees).ToList();
        if (failed.Count > 0)
        {
            throw new PeerDisagreesException(
                "a peer disagrees with the reference and must not be timed:" + Environment.NewLine + string.Join(Environment.NewLine, failed));
        }
    }

    /// <summary><c>max_i |a_i − e_i| / max(|e_i|, rms(e))</c>; infinite if the lengths differ, NaN if a value is NaN.</summary>
    public static double Error(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            return double.PositiveInfinity;
        }

        double sumOfSquares = 0;
        foreach (float e in expected)
        {
            sumOfSquares += (double)e * e;
        }

        double floor = Math.Sqrt(sumOfSquares / Math.Max(1, expected.Length));
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(Math.Abs((double)expected[i]), floor);
            double error = Math.Abs((double)actual[i] - expected[i]) / (scale > 0 ? scale : 1);
            if (!(error <= worst))
            {
                worst = error;
            }
        }

        return worst;
    }
}

/// <summary>A peer's result differs from the reference beyond <see cref="Agreement.Tolerance"/>.</summary>
public sealed class PeerDisagreesException(string message) : InvalidOperationException(message);

namespace Backprop.Simd.Compare;

/// <summary>How the p-value of a Mann-Whitney test was found.</summary>
public enum PValueMethod
{
    /// <summary>Exact when there are no ties and both samples are small enough, otherwise the normal approximation.</summary>
    Auto,

    /// <summary>The exact null distribution of U, by counting arrangements (no ties allowed).</summary>
    Exact,

    /// <summary>The normal approximation with tie correction and continuity correction.</summary>
    Normal,
}

/// <summary>The result of a two-sided Mann-Whitney U test.</summary>
/// <param name="U">U of the first sample: the number of pairs (x, y) with x &gt; y, ties counting one half.</param>
/// <param name="PValue">Two-sided: the probability, if both samples came from one distribution, of a U at least
/// this far from its mean n₁n₂/2.</param>
public readonly record struct MannWhitneyResult(double U, double PValue, PValueMethod Method);

/// <summary>
/// The two-sided Mann-Whitney U (Wilcoxon rank-sum) test: do two samples come from one distribution? It uses ranks
/// only, so one slow iteration (a context switch on a shared machine) moves it no more than any other outlier would.
/// </summary>
public static class MannWhitney
{
    /// <summary>Samples up to this size (each) without ties get the exact distribution.</summary>
    public const int ExactLimit = 50;

    // Numerical Recipes' erfc fit: erfc(z) ≈ t·exp(−z² + P(t)), t = 1 / (1 + z/2), P of degree 9, highest first.
    private static readonly double[] s_erfcFit =
        [0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223];

    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, PValueMethod method = PValueMethod.Auto)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n1 = x.Count, n2 = y.Count;
        if (n1 == 0 || n2 == 0)
        {
            return new MannWhitneyResult(0, 1, method == PValueMethod.Auto ? PValueMethod.Normal : method);
        }

        (double rankSum, double tieTerm) = RankSumOfFirst(x, y);
        double u = rankSum - (n1 * (n1 + 1.0) / 2);

        if (method == PValueMethod.Auto)
        {
            method = tieTerm == 0 && n1 <= ExactLimit && n2 <= ExactLimit ? PValueMethod.Exact : PValueMethod.Normal;
        }

        if (method == PValueMethod.Exact && tieTerm != 0)
        {
            throw new ArgumentException("the exact distribution of U assumes no ties; these samples have some.", nameof(method));
        }

        double p = method == PValueMethod.Exact ? ExactPValue(n1, n2, (int)u) : NormalPValue(n1, n2, u, tieTerm);
        return new MannWhitneyResult(u, Math.Min(1, p), method);
    }

    /// <summary>The rank sum of x in the pooled sample (ties get their mean rank), and Σ(t³ − t) over tie groups.</summary>
    private static (double RankSum, double TieTerm) RankSumOfFirst(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var pooled = new (double Value, bool First)[x.Count + y.Count];
        for (int i = 0; i < x.Count; i++)
        {
            pooled[i] = (x[i], true);
        }

        for (int i = 0; i < y.Count; i++)
        {
            pooled[x.Count + i] = (y[i], false);
        }

        Array.Sort(pooled, (a, b) => a.Value.CompareTo(b.Value));
        double rankSum = 0, tieTerm = 0;
        for (int start = 0; start < pooled.Length;)
        {
            int end = start + 1;
            while (end < pooled.Length && pooled[end].Value.CompareTo(pooled[start].Value) == 0)
            {
                end++;
            }

            // Positions start..end−1 hold ranks start+1..end; each gets their mean.
            double rank = (start + 1 + end) / 2.0;
            double t = end - start;
            tieTerm += (t * t * t) - t;
            for (int i = start; i < end; i++)
            {
                rankSum += pooled[i].First ? rank : 0;
            }

            start = end;
        }

        return (rankSum, tieTerm);
    }

    // p = 2·P(U ≤ min(u, n₁n₂ − u)): the null distribution is symmetric about n₁n₂/2. The count of arrangements with
    // U = k follows f(m, n, k) = f(m − 1, n, k − n) + f(m, n − 1, k) (is the largest value an x or a y?), summed only
    // up to the tail needed; additions only, so no cancellation even where the counts exceed 2⁵³.
    private static double ExactPValue(int n1, int n2, int u)
    {
        int tail = Math.Min(u, (n1 * n2) - u);
        var previous = new double[n2 + 1][];
        var current = new double[n2 + 1][];
        for (int n = 0; n <= n2; n++)
        {
            previous[n] = new double[tail + 1];
            current[n] = new double[tail + 1];
            previous[n][0] = 1; // m = 0: one arrangement, U = 0
        }

        for (int m = 1; m <= n1; m++)
        {
            Array.Clear(current[0]);
            current[0][0] = 1; // n = 0: one arrangement, U = 0
            for (int n = 1; n <= n2; n++)
            {
                for (int k = 0; k <= tail; k++)
                {
                    current[n][k] = (k >= n ? previous[n][k - n] : 0) + current[n - 1][k];
                }
            }

            (previous, current) = (current, previous);
        }

        double atMost = 0;
        for (int k = 0; k <= tail; k++)
        {
            atMost += previous[n2][k];
        }

        return 2 * atMost / Binomial(n1 + n2, n1);
    }

    // z = (|U − n₁n₂/2| − ½) / σ, σ² = n₁n₂/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))); p = 2·(1 − Φ(z)) = erfc(z/√2).
    private static double NormalPValue(int n1, int n2, double u, double tieTerm)
    {
        double n = n1 + n2;
        double variance = n1 * (double)n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1))));
        if (!(variance > 0))
        {
            return 1; // every value tied: nothing tells the samples apart
        }

        double z = Math.Max(0, Math.Abs(u - (n1 * (double)n2 / 2)) - 0.5) / Math.Sqrt(variance);
        return Erfc(z / Math.Sqrt(2));
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (int i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    /// <summary>The complementary error function, relative error below 1.2·10⁻⁷ (Numerical Recipes' Chebyshev fit).</summary>
    internal static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        double polynomial = 0;
        foreach (double coefficient in s_erfcFit)
        {
            polynomial = (polynomial * t) + coefficient;
        }

        double r = t * Math.Exp(-(z * z) + polynomial);
        return x >= 0 ? r : 2 - r;
    }
}

using System.Globalization;
using System.Numerics;
using Backprop.Simd.Optimizers;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Optimizers;

/// <summary>
/// Each optimizer over 50 steps of varying gradients against a plain double transcription of the published rule
/// (PyTorch's documented algorithms), written here independently of the library: bias correction, weight decay
/// (coupled and decoupled), Nesterov, momentum and clipping by global norm. Each step's returned predicted
/// decrease is checked against <c>−Σ g·Δw</c> from copies taken before and after.
/// </summary>
/// <remarks>
/// Tolerance: double must agree to 1e-12·(1 + |w|); float, whose rounding compounds over the 50 steps, to
/// 2e-5·(1 + |w|). The decrease may differ by 1e-4 (float) or 1e-10 (double) of Σ|g·Δw| plus the rounding of the
/// applied change, 2·u·Σ|g|·|w|.
/// </remarks>
public class PublishedRuleTests
{
    private const int Length = 37;
    private const int StepCount = 50;

    public static TheoryData<string, bool> Rules() => new()
    {
        { "sgd", false }, { "sgd", true },
        { "momentum", false }, { "momentum", true },
        { "nesterov", false }, { "nesterov", true },
        { "adam", false }, { "adam", true },
        { "adam-l2", false }, { "adam-l2", true },
        { "adamw", false }, { "adamw", true },
        { "rmsprop", false }, { "rmsprop", true },
        { "rmsprop-momentum", false }, { "rmsprop-momentum", true },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void FloatFollowsThePublishedRule(string rule, bool clip) => FollowsThePublishedRule<float>(rule, clip, 2e-5, 1e-4);

    [Theory]
    [MemberData(nameof(Rules))]
    public void DoubleFollowsThePublishedRule(string rule, bool clip) => FollowsThePublishedRule<double>(rule, clip, 1e-12, 1e-10);

    private static void FollowsThePublishedRule<T>(string rule, bool clip, double tolerance, double decreaseTolerance)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double? clipNorm = clip ? 2.5 : null;
        Optimizer<T> optimizer = Create<T>(rule, clipNorm);
        var reference = new Transcription(rule, clipNorm, Length);
        var random = new Random(rule.Length * 31 + (clip ? 1 : 0));
        T[] w = TestData.Uniform<T>(random, Length, -1, 1);
        double[] expected = TestData.Convert<T, double>(w);
        int clipped = 0;

        for (int step = 0; step < StepCount; step++)
        {
            // Gradients whose size varies from step to step, so clipping engages on some steps and not others.
            double magnitude = 0.2 + (step % 5 * 0.4);
            T[] g = TestData.Uniform<T>(random, Length, -magnitude, magnitude);
            double[] gd = TestData.Convert<T, double>(g);
            double lr = 0.01 + (0.002 * (step % 3));
            T[] before = (T[])w.Clone();

            T decrease = optimizer.Step(w, g, T.CreateTruncating(lr));
            clipped += reference.Step(expected, gd, lr) ? 1 : 0;

            string where = string.Create(CultureInfo.InvariantCulture, $"{typeof(T).Name} {rule} clip={clip} step={step + 1}");
            Assert.All(g, x => Assert.Equal(T.Zero, x));
            Tolerance.Close<double, T>(expected, w, tolerance, tolerance, where);
            CheckDecrease(gd, before, w, decrease, decreaseTolerance, where);
        }

        Assert.Equal(StepCount, optimizer.Steps);
        if (clip)
        {
            Assert.InRange(clipped, 1, StepCount - 1);
        }
    }

    internal static void CheckDecrease<T>(double[] g, T[] before, T[] after, T decrease, double relative, string where)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        double sum = 0;
        double bound = 0;
        double rounding = 0;
        for (int i = 0; i < g.Length; i++)
        {
            double delta = double.CreateTruncating(after[i]) - double.CreateTruncating(before[i]);
            sum += g[i] * delta;
            bound += Math.Abs(g[i] * delta);
            rounding += Math.Abs(g[i]) * Math.Abs(double.CreateTruncating(after[i]));
        }

        double allowance = (relative * bound) + (2 * Tolerance.UnitRoundoff<T>() * rounding);
        Tolerance.Scalar(-sum, double.CreateTruncating(decrease), allowance, where + " decrease");
    }

    private static Optimizer<T> Create<T>(string rule, double? clipNorm)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => rule switch
        {
            "sgd" => new Sgd<T>(Length) { ClipNorm = clipNorm },
            "momentum" => new Sgd<T>(Length, momentum: 0.9, weightDecay: 0.01) { ClipNorm = clipNorm },
            "nesterov" => new Sgd<T>(Length, momentum: 0.8, nesterov: true, weightDecay: 0.05) { ClipNorm = clipNorm },
            "adam" => new Adam<T>(Length) { ClipNorm = clipNorm },
            "adam-l2" => new Adam<T>(Length, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1) { ClipNorm = clipNorm },
            "adamw" => new AdamW<T>(Length, weightDecay: 0.1) { ClipNorm = clipNorm },
            "rmsprop" => new RmsProp<T>(Length) { ClipNorm = clipNorm },
            "rmsprop-momentum" => new RmsProp<T>(Length, alpha: 0.9, momentum: 0.7, weightDecay: 0.02) { ClipNorm = clipNorm },
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };

    /// <summary>The published update rules, literally, in double.</summary>
    private sealed class Transcription(string rule, double? clipNorm, int length)
    {
        private readonly double[] _a = new double[length];
        private readonly double[] _b = new double[length];
        private int _t;

        /// <summary>One step; returns whether the gradient was clipped.</summary>
        public bool Step(double[] w, double[] rawGradient, double lr)
        {
            _t++;
            double[] g = (double[])rawGradient.Clone();
            bool clipped = false;
            if (clipNorm is double max)
            {
                double norm = Math.Sqrt(g.Sum(x => x * x));
                if (norm > max)
                {
                    clipped = true;
                    for (int i = 0; i < g.Length; i++)
                    {
                        g[i] *= max / norm;
                    }
                }
            }

            for (int i = 0; i < w.Length; i++)
            {
                switch (rule)
                {
                    case "sgd":
                        w[i] -= lr * g[i];
                        break;
                    case "momentum":
                        Momentum(w, g, i, lr, 0.9, 0.01, nesterov: false);
                        break;
                    case "nesterov":
                        Momentum(w, g, i, lr, 0.8, 0.05, nesterov: true);
                        break;
                    case "adam":
                        Adam(w, g[i], i, lr, 0.9, 0.999, 1e-8);
                        break;
                    case "adam-l2":
                        Adam(w, g[i] + (0.1 * w[i]), i, lr, 0.8, 0.99, 1e-6);
                        break;
                    case "adamw":
                        w[i] *= 1 - (lr * 0.1);
                        Adam(w, g[i], i, lr, 0.9, 0.999, 1e-8);
                        break;
                    case "rmsprop":
                        RmsProp(w, g[i], i, lr, 0.99, 1e-8, 0);
                        break;
                    default:
                        RmsProp(w, g[i] + (0.02 * w[i]), i, lr, 0.9, 1e-8, 0.7);
                        break;
                }
            }

            return clipped;
        }

        // PyTorch SGD: g' = g + λw; buf = g' on the first step, else μ·buf + g'; d = nesterov ? g' + μ·buf : buf.
        private void Momentum(double[] w, double[] g, int i, double lr, double mu, double lambda, bool nesterov)
        {
            double gp = g[i] + (lambda * w[i]);
            _a[i] = _t == 1 ? gp : (mu * _a[i]) + gp;
            double d = nesterov ? gp + (mu * _a[i]) : _a[i];
            w[i] -= lr * d;
        }

        // Kingma & Ba: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), w −= lr·m̂/(√v̂ + ε).
        private void Adam(double[] w, double g, int i, double lr, double beta1, double beta2, double epsilon)
        {
            _a[i] = (beta1 * _a[i]) + ((1 - beta1) * g);
            _b[i] = (beta2 * _b[i]) + ((1 - beta2) * g * g);
            double mHat = _a[i] / (1 - Math.Pow(beta1, _t));
            double vHat = _b[i] / (1 - Math.Pow(beta2, _t));
            w[i] -= lr * mHat / (Math.Sqrt(vHat) + epsilon);
        }

        // PyTorch RMSprop: v = αv + (1 − α)g²; u = g/(√v + ε); with momentum b = μb + u, w −= lr·b.
        private void RmsProp(double[] w, double g, int i, double lr, double alpha, double epsilon, double mu)
        {
            _a[i] = (alpha * _a[i]) + ((1 - alpha) * g * g);
            double u = g / (Math.Sqrt(_a[i]) + epsilon);
            if (mu > 0)
            {
                _b[i] = (mu * _b[i]) + u;
                u = _b[i];
            }

            w[i] -= lr * u;
        }
    }
}

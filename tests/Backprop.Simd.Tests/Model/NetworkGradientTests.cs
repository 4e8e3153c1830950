using System.Globalization;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using CsCheck;
using Xunit;

namespace Backprop.Simd.Tests.Model;

/// <summary>A random network, batch and data for the gradient properties (double precision).</summary>
public sealed record GradientCase(int[] Sizes, Activation[] Activations, Loss Loss, int Batch, double[] Parameters, double[] Inputs, double[] Targets)
{
    public override string ToString()
        => string.Create(
            CultureInfo.InvariantCulture,
            $"sizes [{string.Join(", ", Sizes)}], activations [{string.Join(", ", Activations)}], {Loss}, batch {Batch}, {Parameters.Length} parameters");
}

/// <summary>
/// CsCheck properties of <see cref="Network{T}.Backpropagate"/>: every analytic ∂E/∂W, ∂E/∂b and ∂E/∂X equals the
/// central finite difference, and a step along −g lowers E as the first-order model predicts.
/// </summary>
/// <remarks>
/// Finite differences: fd = (E(θ + h) − E(θ − h)) / 2h with h = 1e-5; we require |a − fd| ≤ 1e-6·max(|a|, |fd|) + 1e-8.
/// The truncation error h²·E'''/6 ≈ 1e-11 and the rounding error ≈ 1e-16·|E|/h ≈ 1e-11·|E| both sit below that.
/// ReLU/LeakyReLU kinks: a difference is skipped when the sign of some ReLU-family pre-activation (computed with
/// <see cref="ScalarReference"/>) at θ ± h differs from its sign at θ, i.e. exactly when the two-sided difference
/// straddles a kink; everywhere else E is smooth along the perturbation. Iterations: 60 per property by default,
/// 2000 with BACKPROP_LONG=1. Parameters are capped at 600 per network to keep each sample fast.
/// </remarks>
public class NetworkGradientTests
{
    private const double H = 1e-5;
    private const double Relative = 1e-6;
    private const double Absolute = 1e-8;
    private const int MaxParameters = 600;

    internal static readonly Gen<GradientCase> Cases =
        from layers in Gen.Int[1, 4]
        from sizes in Gen.Int[1, 48].Array[layers + 1]
        where ParameterCount(sizes) <= MaxParameters
        from loss in Gen.Enum<Loss>()
        where loss != Loss.SoftmaxCrossEntropy || sizes[^1] >= 2
        from activations in Gen.Enum<Activation>().Array[layers]
        from batch in Gen.Int[1, 16]
        from parameters in Gen.Double[-1, 1].Array[ParameterCount(sizes)]
        from inputs in Gen.Double[-2, 2].Array[batch * sizes[0]]
        from targets in Targets(loss, batch, sizes[^1])
        select new GradientCase(sizes, FixOutput(activations, loss), loss, batch, parameters, inputs, targets);

    [Fact]
    public void BackpropagateMatchesFiniteDifferences()
        => Cases.Sample(CheckGradients, iter: PropertySettings.Iter(60, 2000), seed: PropertySettings.Seed);

    [Fact]
    public void StepAlongNegativeGradientDescends()
        => Cases.Sample(CheckDescent, iter: PropertySettings.Iter(60, 2000), seed: PropertySettings.Seed);

    // Seeds that once failed, pinned (see CheckDescent for what they showed).
    [Theory]
    [InlineData("3IbeCWZBrkO1")]
    [InlineData("aCOs-fHGqoA1")]
    [InlineData("1Czf4HFjSuI3")]
    [InlineData("4vBeK4241e62")]
    public void PinnedSeedsDescend(string seed) => Cases.Sample(CheckDescent, seed: seed, iter: 1);

    [Theory]
    [InlineData("3IbeCWZBrkO1")]
    [InlineData("aCOs-fHGqoA1")]
    [InlineData("4eq2KL6KuBA3")]
    public void PinnedSeedsMatchFiniteDifferences(string seed) => Cases.Sample(CheckGradients, seed: seed, iter: 1);

    // Pinned regression cases: each activation behind each loss on a small fixed net.
    [Theory]
    [InlineData(Activation.Relu, Loss.SquaredError)]
    [InlineData(Activation.LeakyRelu, Loss.SoftmaxCrossEntropy)]
    [InlineData(Activation.Gelu, Loss.SigmoidCrossEntropy)]
    [InlineData(Activation.Sigmoid, Loss.SoftmaxCrossEntropy)]
    [InlineData(Activation.Tanh, Loss.SquaredError)]
    [InlineData(Activation.Identity, Loss.SigmoidCrossEntropy)]
    public void FixedNetworksMatchFiniteDifferences(Activation hidden, Loss loss)
    {
        int[] sizes = [5, 7, 6, 3];
        var random = new Random(17);
        double[] parameters = TestData.Uniform<double>(random, ParameterCount(sizes), -1, 1);
        double[] inputs = TestData.Uniform<double>(random, 4 * 5, -2, 2);
        double[] targets = TestData.Targets<double>(random, loss, 4, 3);
        var c = new GradientCase(sizes, [hidden, hidden, loss == Loss.SquaredError ? hidden : Activation.Identity], loss, 4, parameters, inputs, targets);
        CheckGradients(c);
        CheckDescent(c);
    }

    internal static int ParameterCount(int[] sizes)
    {
        int count = 0;
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            count += (sizes[l] * sizes[l + 1]) + sizes[l + 1];
        }

        return count;
    }

    private static Activation[] FixOutput(Activation[] activations, Loss loss)
    {
        Activation[] result = (Activation[])activations.Clone();
        if (loss != Loss.SquaredError)
        {
            result[^1] = Activation.Identity;
        }

        return result;
    }

    private static Gen<double[]> Targets(Loss loss, int batch, int width) => loss switch
    {
        // One-hot, normalised probability rows, or raw rows that need not sum to 1 (all-zero rows included).
        Loss.SoftmaxCrossEntropy => Gen.Int[0, 2].SelectMany(kind => kind == 2
            ? Gen.Double[0, 1].Array[batch * width].Select(t =>
            {
                for (int n = 0; n < batch; n += 3)
                {
                    t.AsSpan(n * width, width).Clear();
                }

                return t;
            })
            : kind == 0
            ? Gen.Int[0, width - 1].Array[batch].Select(hot =>
            {
                var t = new double[batch * width];
                for (int n = 0; n < batch; n++)
                {
                    t[(n * width) + hot[n]] = 1;
                }

                return t;
            })
            : Gen.Double[0.001, 1].Array[batch * width].Select(t =>
            {
                for (int n = 0; n < batch; n++)
                {
                    Span<double> row = t.AsSpan(n * width, width);
                    double sum = 0;
                    foreach (double v in row)
                    {
                        sum += v;
                    }

                    for (int j = 0; j < width; j++)
                    {
                        row[j] /= sum;
                    }
                }

                return t;
            })),
        Loss.SigmoidCrossEntropy => Gen.Double[0, 1].Array[batch * width],
        _ => Gen.Double[-2, 2].Array[batch * width],
    };

    private static Network<double> Build(GradientCase c)
    {
        var network = new Network<double>(new NetworkSpec(c.Sizes, c.Activations, c.Loss), c.Batch);
        c.Parameters.CopyTo(network.Parameters);
        return network;
    }

    /// <summary>The signs of every ReLU-family pre-activation, as the network's kernels compute them (empty when there are none).</summary>
    private static bool[] KinkSides(Network<double> network, GradientCase c, double[] inputs)
    {
        var sides = new List<bool>();
        double[] x = inputs;
        for (int l = 0; l < c.Activations.Length; l++)
        {
            int inputsOfLayer = c.Sizes[l], outputs = c.Sizes[l + 1];
            var z = new double[c.Batch * outputs];
            // The network's own kernels, not the scalar reference: a pre-activation within rounding of 0 can have
            // different signs in the two summation orders, and only the network's sign decides its gradient
            // (regression seed 1Czf4HFjSuI3).
            DenseKernels.DenseForward<double>(z, x, network.Weights(l), network.Biases(l), c.Batch, inputsOfLayer, outputs);
            if (c.Activations[l] is Activation.Relu or Activation.LeakyRelu)
            {
                sides.AddRange(z.Select(v => v > 0));
            }

            var a = new double[z.Length];
            ActivationKernels.ActivationForward<double>(c.Activations[l], z, a);
            x = a;
        }

        return [.. sides];
    }

    private static void CheckGradients(GradientCase c)
    {
        Network<double> network = Build(c);
        var inputGradients = new double[c.Inputs.Length];
        network.ClearGradients();
        network.Backpropagate(c.Inputs, c.Targets, c.Batch, inputGradients);
        double[] analytic = network.Gradients.ToArray();
        bool hasKinks = c.Activations.Any(a => a is Activation.Relu or Activation.LeakyRelu);
        bool[] sides = hasKinks ? KinkSides(network, c, c.Inputs) : [];

        Span<double> parameters = network.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            double saved = parameters[i];
            network.Parameters[i] = saved + H;
            double plus = network.Evaluate(c.Inputs, c.Targets, c.Batch);
            bool smooth = !hasKinks || KinkSides(network, c, c.Inputs).AsSpan().SequenceEqual(sides);
            network.Parameters[i] = saved - H;
            double minus = network.Evaluate(c.Inputs, c.Targets, c.Batch);
            smooth = smooth && (!hasKinks || KinkSides(network, c, c.Inputs).AsSpan().SequenceEqual(sides));
            network.Parameters[i] = saved;
            if (smooth)
            {
                AssertClose(analytic[i], (plus - minus) / (2 * H), $"∂E/∂θ[{i}] of {c}");
            }
        }

        double[] inputs = (double[])c.Inputs.Clone();
        for (int i = 0; i < inputs.Length; i++)
        {
            double saved = inputs[i];
            inputs[i] = saved + H;
            double plus = network.Evaluate(inputs, c.Targets, c.Batch);
            bool smooth = !hasKinks || KinkSides(network, c, inputs).AsSpan().SequenceEqual(sides);
            inputs[i] = saved - H;
            double minus = network.Evaluate(inputs, c.Targets, c.Batch);
            smooth = smooth && (!hasKinks || KinkSides(network, c, inputs).AsSpan().SequenceEqual(sides));
            inputs[i] = saved;
            if (smooth)
            {
                AssertClose(inputGradients[i], (plus - minus) / (2 * H), $"∂E/∂X[{i}] of {c}");
            }
        }
    }

    /// <summary>
    /// With g = ∇E: r(ε) = (E(θ) − E(θ − εg)) / (ε‖g‖²) = 1 − ½·ε·gᵀHg/‖g‖² + rounding. Over ε = 1e-5 … 1e-8 (only where
    /// ε‖g‖² ≥ 1e-9·max(1, |E|), so E's rounding adds at most ≈ 1e-6 to r) the deviation |r − 1| must shrink with ε
    /// (each tenfold step at least halves it, or it is already below 1e-4) and end within 1e-3. A fixed ε fails on
    /// sharply curved nets.
    /// An ε whose step moves a ReLU-family pre-activation across 0 is skipped, as in the finite differences: CsCheck
    /// draws values like 1e-86 and 0, so pre-activations of 1e-58 occur and E has a kink right at θ (seed aCOs-fHGqoA1
    /// and 3IbeCWZBrkO1: |r − 1| stuck at 0.013 and 0.0038 for every ε, before kinks were skipped).
    /// And some step ε = 2⁻ᵏ ≤ 1 strictly lowers E whenever ‖g‖² exceeds E's rounding level, 1e-12·max(1, |E|).
    /// </summary>
    private static void CheckDescent(GradientCase c)
    {
        Network<double> network = Build(c);
        network.ClearGradients();
        network.Backpropagate(c.Inputs, c.Targets, c.Batch);
        double[] g = network.Gradients.ToArray();
        double e0 = network.Evaluate(c.Inputs, c.Targets, c.Batch);
        double gg = g.Sum(v => v * v);
        double scale = Math.Max(1, Math.Abs(e0));

        bool hasKinks = c.Activations.Any(a => a is Activation.Relu or Activation.LeakyRelu);
        bool[] sides = hasKinks ? KinkSides(network, c, c.Inputs) : [];
        double previous = double.NaN;
        double last = double.NaN;
        for (double epsilon = 1e-5; epsilon >= 1e-8 && epsilon * gg >= 1e-9 * scale; epsilon /= 10)
        {
            if (hasKinks && !StepKeepsKinkSides(network, c, g, epsilon, sides))
            {
                previous = double.NaN;
                continue;
            }

            double ratio = (e0 - EvaluateAt(network, c, g, epsilon)) / (epsilon * gg);
            double deviation = Math.Abs(ratio - 1);
            string where = string.Create(CultureInfo.InvariantCulture, $"ratio {ratio:R} at ε = {epsilon} (previous deviation {previous:R}, ‖g‖² = {gg:R}, E = {e0:R}) for {c}");
            Assert.True(double.IsNaN(previous) || deviation <= Math.Max(0.5 * previous, 1e-4), where);
            previous = deviation;
            last = deviation;
        }

        Assert.True(double.IsNaN(last) || last <= 1e-3, string.Create(CultureInfo.InvariantCulture, $"final deviation {last:R} for {c}"));

        if (gg > 1e-12 * scale)
        {
            // Only steps that stay on one side of every ReLU kink count: at a point on a kink (a pre-activation exactly
            // 0, which CsCheck's zeros produce) the subgradient need not be a descent direction (regression seed
            // 4vBeK4241e62: a 1-1 ReLU net whose unit sits at z = 0).
            bool lowered = false;
            bool smoothStep = false;
            for (double epsilon = 1; epsilon > 1e-15 && !lowered; epsilon /= 2)
            {
                if (hasKinks && !StepKeepsKinkSides(network, c, g, epsilon, sides))
                {
                    continue;
                }

                smoothStep = true;
                lowered = EvaluateAt(network, c, g, epsilon) < e0;
            }

            Assert.True(lowered || !smoothStep, string.Create(CultureInfo.InvariantCulture, $"no step lowered E = {e0:R} (‖g‖² = {gg:R}) for {c}"));
        }
    }

    private static bool StepKeepsKinkSides(Network<double> network, GradientCase c, double[] g, double epsilon, bool[] sides)
    {
        for (int i = 0; i < g.Length; i++)
        {
            network.Parameters[i] = c.Parameters[i] - (epsilon * g[i]);
        }

        bool same = KinkSides(network, c, c.Inputs).AsSpan().SequenceEqual(sides);
        c.Parameters.CopyTo(network.Parameters);
        return same;
    }

    private static double EvaluateAt(Network<double> network, GradientCase c, double[] g, double epsilon)
    {
        for (int i = 0; i < g.Length; i++)
        {
            network.Parameters[i] = c.Parameters[i] - (epsilon * g[i]);
        }

        double e = network.Evaluate(c.Inputs, c.Targets, c.Batch);
        c.Parameters.CopyTo(network.Parameters);
        return e;
    }

    private static void AssertClose(double analytic, double finiteDifference, string what)
    {
        double allowed = (Relative * Math.Max(Math.Abs(analytic), Math.Abs(finiteDifference))) + Absolute;
        Assert.True(
            Math.Abs(analytic - finiteDifference) <= allowed,
            string.Create(CultureInfo.InvariantCulture, $"{what}: analytic {analytic:R}, finite difference {finiteDifference:R}, allowed {allowed:R}"));
    }
}

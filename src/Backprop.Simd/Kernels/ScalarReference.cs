using System.Numerics;

namespace Backprop.Simd.Kernels;

/// <summary>
/// Plain scalar transcriptions of every kernel: the oracle the tests hold the vectorized kernels to, and the
/// shortest statement of what each computes. Same arguments as the fast kernels, no validation, no speed.
/// </summary>
public static class ScalarReference
{
    /// <summary><c>y[n, o] = b[o] + Σ_i x[n, i]·w[o, i]</c>.</summary>
    public static void DenseForward<T>(Span<T> y, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> b, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < outputs; o++)
            {
                T sum = b.IsEmpty ? T.Zero : b[o];
                for (int i = 0; i < inputs; i++)
                {
                    sum += x[(n * inputs) + i] * w[(o * inputs) + i];
                }

                y[(n * outputs) + o] = sum;
            }
        }
    }

    /// <summary><c>dx[n, i] = Σ_o dy[n, o]·w[o, i]</c>.</summary>
    public static void DenseBackwardData<T>(Span<T> dx, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int n = 0; n < batch; n++)
        {
            for (int i = 0; i < inputs; i++)
            {
                T sum = T.Zero;
                for (int o = 0; o < outputs; o++)
                {
                    sum += dy[(n * outputs) + o] * w[(o * inputs) + i];
                }

                dx[(n * inputs) + i] = sum;
            }
        }
    }

    /// <summary><c>dw[o, i] += Σ_n dy[n, o]·x[n, i]</c>.</summary>
    public static void DenseBackwardWeights<T>(Span<T> dw, ReadOnlySpan<T> dy, ReadOnlySpan<T> x, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                T sum = T.Zero;
                for (int n = 0; n < batch; n++)
                {
                    sum += dy[(n * outputs) + o] * x[(n * inputs) + i];
                }

                dw[(o * inputs) + i] += sum;
            }
        }
    }

    /// <summary><c>db[o] += Σ_n dy[n, o]</c>.</summary>
    public static void DenseBackwardBias<T>(Span<T> db, ReadOnlySpan<T> dy, int batch, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int o = 0; o < outputs; o++)
        {
            T sum = T.Zero;
            for (int n = 0; n < batch; n++)
            {
                sum += dy[(n * outputs) + o];
            }

            db[o] += sum;
        }
    }

    /// <summary><c>a[i] = f(z[i])</c>.</summary>
    public static void ActivationForward<T>(Activation activation, ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T slope = T.CreateTruncating(ActivationKernels.LeakySlope);
        for (int i = 0; i < z.Length; i++)
        {
            T v = z[i];
            a[i] = activation switch
            {
                Activation.Identity => v,
                Activation.Sigmoid => T.One / (T.One + T.Exp(-v)),
                Activation.Tanh => T.Tanh(v),
                Activation.Relu => T.Max(v, T.Zero),
                Activation.LeakyRelu => v > T.Zero ? v : slope * v,
                Activation.Gelu => T.CreateTruncating(0.5) * v * (T.One + T.Tanh(GeluInner(v))),
                _ => throw ActivationKernels.UnknownActivation(activation),
            };
        }
    }

    /// <summary><c>dz[i] = da[i]·f'(z[i])</c>, with <c>a = f(z)</c>.</summary>
    public static void ActivationBackward<T>(Activation activation, Span<T> dz, ReadOnlySpan<T> da, ReadOnlySpan<T> z, ReadOnlySpan<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T slope = T.CreateTruncating(ActivationKernels.LeakySlope);
        T half = T.CreateTruncating(0.5);
        for (int i = 0; i < dz.Length; i++)
        {
            T derivative = activation switch
            {
                Activation.Identity => T.One,
                Activation.Sigmoid => a[i] * (T.One - a[i]),
                Activation.Tanh => T.One - (a[i] * a[i]),
                Activation.Relu => z[i] > T.Zero ? T.One : T.Zero,
                Activation.LeakyRelu => z[i] > T.Zero ? T.One : slope,
                Activation.Gelu => GeluDerivative(z[i], half),
                _ => throw ActivationKernels.UnknownActivation(activation),
            };
            dz[i] = da[i] * derivative;
        }
    }

    /// <summary>The loss of <paramref name="loss"/> and its gradient, one element at a time.</summary>
    public static T Loss<T>(Loss loss, ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = outputs.Length / batch;
        T scale = T.One / T.CreateTruncating(batch);
        T total = T.Zero;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<T> y = outputs.Slice(n * width, width);
            ReadOnlySpan<T> t = targets.Slice(n * width, width);
            Span<T> g = gradient.Slice(n * width, width);
            switch (loss)
            {
                case Kernels.Loss.SquaredError:
                    for (int j = 0; j < width; j++)
                    {
                        T d = y[j] - t[j];
                        total += T.CreateTruncating(0.5) * d * d;
                        g[j] = d * scale;
                    }

                    break;
                case Kernels.Loss.SoftmaxCrossEntropy:
                    T max = T.NegativeInfinity;
                    foreach (T v in y)
                    {
                        max = T.Max(max, v);
                    }

                    T sum = T.Zero;
                    foreach (T v in y)
                    {
                        sum += T.Exp(v - max);
                    }

                    T logSumExp = max + T.Log(sum);
                    T targetSum = T.Zero;
                    foreach (T v in t)
                    {
                        targetSum += v;
                    }

                    for (int j = 0; j < width; j++)
                    {
                        total -= t[j] * (y[j] - logSumExp);
                        g[j] = ((T.Exp(y[j] - logSumExp) * targetSum) - t[j]) * scale;
                    }

                    break;
                case Kernels.Loss.SigmoidCrossEntropy:
                    for (int j = 0; j < width; j++)
                    {
                        T z = y[j];
                        total += T.Max(z, T.Zero) - (z * t[j]) + T.Log(T.One + T.Exp(-T.Abs(z)));
                        g[j] = ((T.One / (T.One + T.Exp(-z))) - t[j]) * scale;
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss, $"Unknown loss {loss}.");
            }
        }

        return total * scale;
    }

    /// <summary><c>parameters[i] −= learningRate·gradients[i]</c>, then optionally <c>gradients[i] = 0</c>.</summary>
    public static void SgdUpdate<T>(Span<T> parameters, Span<T> gradients, T learningRate, bool clearGradients = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] -= learningRate * gradients[i];
            if (clearGradients)
            {
                gradients[i] = T.Zero;
            }
        }
    }

    /// <summary>
    /// SGD with momentum: <c>g' = s·g + λ·w</c>; <c>v = μ·v + g'</c>; <c>d = nesterov ? g' + μ·v : v</c> (d = g' when
    /// μ = 0); <c>w −= lr·d</c>; optionally <c>g = 0</c>. Returns <c>−Σ g·Δw</c>.
    /// </summary>
    internal static T MomentumUpdate<T>(Span<T> parameters, Span<T> gradients, Span<T> velocity, in MomentumCoefficients<T> c, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            T scaled = (c.GradientScale * g) + (c.WeightDecay * parameters[i]);
            T direction = scaled;
            if (c.HasMomentum)
            {
                velocity[i] = (c.Momentum * velocity[i]) + scaled;
                direction = c.Nesterov ? scaled + (c.Momentum * velocity[i]) : velocity[i];
            }

            T delta = c.NegativeLearningRate * direction;
            parameters[i] += delta;
            sum += g * delta;
            if (clearGradients)
            {
                gradients[i] = T.Zero;
            }
        }

        return -sum;
    }

    /// <summary>
    /// Adam / AdamW: <c>g' = s·g + λc·w</c>; <c>m = β1·m + (1 − β1)·g'</c>; <c>v = β2·v + (1 − β2)·g'²</c>;
    /// <c>w += −lr·λd·w − (lr/c1)·m/(√v/√c2 + ε)</c>; optionally <c>g = 0</c>. Returns <c>−Σ g·Δw</c>.
    /// </summary>
    internal static T AdamUpdate<T>(
        Span<T> parameters, Span<T> gradients, Span<T> firstMoment, Span<T> secondMoment, in AdamCoefficients<T> c, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            T w = parameters[i];
            T scaled = (c.GradientScale * g) + (c.CoupledDecay * w);
            firstMoment[i] = (c.Beta1 * firstMoment[i]) + (c.OneMinusBeta1 * scaled);
            secondMoment[i] = (c.Beta2 * secondMoment[i]) + (c.OneMinusBeta2 * (scaled * scaled));
            T denominator = (T.Sqrt(secondMoment[i]) * c.InverseSqrtCorrection2) + c.Epsilon;
            T delta = (c.NegativeDecoupledDecay * w) + (c.NegativeStepSize * (firstMoment[i] / denominator));
            parameters[i] = w + delta;
            sum += g * delta;
            if (clearGradients)
            {
                gradients[i] = T.Zero;
            }
        }

        return -sum;
    }

    /// <summary>
    /// RMSprop: <c>g' = s·g + λ·w</c>; <c>v = α·v + (1 − α)·g'²</c>; <c>u = g'/(√v + ε)</c>; with momentum
    /// <c>b = μ·b + u</c>, <c>w −= lr·b</c>, else <c>w −= lr·u</c>; optionally <c>g = 0</c>. Returns <c>−Σ g·Δw</c>.
    /// </summary>
    internal static T RmsPropUpdate<T>(
        Span<T> parameters, Span<T> gradients, Span<T> squareAverage, Span<T> momentumBuffer, in RmsPropCoefficients<T> c, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            T scaled = (c.GradientScale * g) + (c.WeightDecay * parameters[i]);
            squareAverage[i] = (c.Alpha * squareAverage[i]) + (c.OneMinusAlpha * (scaled * scaled));
            T direction = scaled / (T.Sqrt(squareAverage[i]) + c.Epsilon);
            if (c.HasMomentum)
            {
                momentumBuffer[i] = (c.Momentum * momentumBuffer[i]) + direction;
                direction = momentumBuffer[i];
            }

            T delta = c.NegativeLearningRate * direction;
            parameters[i] += delta;
            sum += g * delta;
            if (clearGradients)
            {
                gradients[i] = T.Zero;
            }
        }

        return -sum;
    }

    private static T GeluInner<T>(T z)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => T.CreateTruncating(Gelu.Sqrt2OverPi) * (z + (T.CreateTruncating(Gelu.Cubic) * z * z * z));

    private static T GeluDerivative<T>(T z, T half)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T t = T.Tanh(GeluInner(z));
        T du = T.CreateTruncating(Gelu.Sqrt2OverPi) * (T.One + (T.CreateTruncating(3 * Gelu.Cubic) * z * z));
        return (half * (T.One + t)) + (half * z * (T.One - (t * t)) * du);
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>
/// The losses: each returns <c>E</c>, averaged over the batch, and writes <c>∂E/∂y</c> to <c>gradient</c>
/// (overwriting it). The outputs are <c>[batch, width]</c>, row-major; targets have the same shape.
/// </summary>
public static class LossKernels
{
    /// <summary>Dispatches to the kernel of <paramref name="loss"/>.</summary>
    public static T Compute<T>(Loss loss, ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => loss switch
        {
            Loss.SquaredError => SquaredError(outputs, targets, gradient, batch),
            Loss.SoftmaxCrossEntropy => SoftmaxCrossEntropy(outputs, targets, gradient, batch),
            Loss.SigmoidCrossEntropy => SigmoidCrossEntropy(outputs, targets, gradient, batch),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, $"Unknown loss {loss}."),
        };

    /// <summary><c>E = (1/B)·Σ ½·(y − t)²</c>; <c>gradient = (y − t)/B</c>.</summary>
    public static T SquaredError<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(outputs, targets, gradient, batch);
        T inverseBatch = T.One / T.CreateTruncating(batch);
        TensorPrimitives.Subtract(outputs, targets, gradient);
        T loss = T.CreateTruncating(0.5) * TensorPrimitives.SumOfSquares<T>(gradient) * inverseBatch;
        TensorPrimitives.Multiply(gradient, inverseBatch, gradient);
        return loss;
    }

    /// <summary>
    /// Softmax cross-entropy on logits <paramref name="outputs"/>: per row, <c>−Σ t·log softmax(z)</c> computed
    /// as <c>lse(z)·Σt − t·z</c> with the log-sum-exp shifted by the row maximum, so neither overflows;
    /// <c>gradient = (softmax(z)·Σt − t)/B</c>, which is <c>(softmax(z) − t)/B</c> for targets that sum to 1 (one-hot or
    /// probabilities); an all-zero row (a masked sample) contributes neither loss nor gradient.
    /// </summary>
    public static T SoftmaxCrossEntropy<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int width = Validate(outputs, targets, gradient, batch);
        T inverseBatch = T.One / T.CreateTruncating(batch);
        T total = T.Zero;
        for (int row = 0; row < batch; row++)
        {
            ReadOnlySpan<T> z = outputs.Slice(row * width, width);
            ReadOnlySpan<T> t = targets.Slice(row * width, width);
            Span<T> g = gradient.Slice(row * width, width);
            // softmax(z) = exp(z − max) / Σ exp(z − max): shifted by the row maximum so exp cannot overflow.
            T max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp<T>(g, g);
            T sum = TensorPrimitives.Sum<T>(g);
            TensorPrimitives.Divide(g, sum, g);

            // −Σ t·log softmax(z) = lse(z)·Σt − t·z, with lse(z) = max + log Σ exp(z − max) (no log of a small p).
            T logSumExp = max + T.Log(sum);
            T targetSum = TensorPrimitives.Sum(t);
            total += (logSumExp * targetSum) - TensorPrimitives.Dot(t, z);

            // ∂/∂z (lse(z)·Σt − t·z) = softmax(z)·Σt − t: the familiar softmax − t when the row sums to 1.
            TensorPrimitives.Multiply(g, targetSum, g);
            TensorPrimitives.Subtract(g, t, g);
            TensorPrimitives.Multiply(g, inverseBatch, g);
        }

        return total * inverseBatch;
    }

    /// <summary>
    /// Sigmoid binary cross-entropy on logits, element-wise, computed stably as
    /// <c>max(z, 0) − z·t + log(1 + e^(−|z|))</c>; <c>gradient = (σ(z) − t)/B</c>.
    /// </summary>
    public static T SigmoidCrossEntropy<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Validate(outputs, targets, gradient, batch);
        T inverseBatch = T.One / T.CreateTruncating(batch);
        Elementwise.Map(default(BinaryCrossEntropyTerm<T>), outputs, targets, default, gradient);
        T loss = TensorPrimitives.Sum<T>(gradient) * inverseBatch;
        TensorPrimitives.Sigmoid(outputs, gradient);
        TensorPrimitives.Subtract(gradient, targets, gradient);
        TensorPrimitives.Multiply(gradient, inverseBatch, gradient);
        return loss;
    }

    /// <summary>Checks the shapes and returns the row width.</summary>
    private static int Validate<T>(ReadOnlySpan<T> outputs, ReadOnlySpan<T> targets, Span<T> gradient, int batch)
    {
        Guard.Positive(batch, nameof(batch));
        if (outputs.IsEmpty || outputs.Length % batch != 0)
        {
            throw new ArgumentException(
                $"outputs has length {outputs.Length}, which is not batch ({batch}) rows of at least one element.",
                nameof(outputs));
        }

        Guard.Length(targets.Length, outputs.Length, nameof(targets), "outputs.Length");
        Guard.Length(gradient.Length, outputs.Length, nameof(gradient), "outputs.Length");
        Guard.NoOverlap<T>(gradient, outputs, nameof(gradient), nameof(outputs));
        Guard.NoOverlap<T>(gradient, targets, nameof(gradient), nameof(targets));
        return outputs.Length / batch;
    }

    // max(z, 0) − z·t + log(1 + e^(−|z|))
    private readonly struct BinaryCrossEntropyTerm<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec z, TVec t, TVec unused)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            TVec softplus = TSimd.Log(TSimd.Add(TSimd.Create(T.One), TSimd.Exp(TSimd.Subtract(TSimd.Zero, TSimd.Abs(z)))));
            return TSimd.Add(TSimd.Subtract(TSimd.Max(z, TSimd.Zero), TSimd.Multiply(z, t)), softplus);
        }
    }
}

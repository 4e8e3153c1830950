using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>Forward and backward passes of the activations, vectorized; <see cref="ScalarReference"/> holds their oracles.</summary>
public static class ActivationKernels
{
    /// <summary>The slope of <see cref="Activation.LeakyRelu"/> for negative inputs.</summary>
    public const double LeakySlope = 0.01;

    /// <summary><c>a[i] = f(z[i])</c>. <paramref name="a"/> may alias <paramref name="z"/> exactly.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partially overlap.</exception>
    public static void ActivationForward<T>(Activation activation, ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.Length(a.Length, z.Length, nameof(a), "z.Length");
        Guard.SameOrNoOverlap<T>(a, z, nameof(a), nameof(z));
        if (z.IsEmpty)
        {
            ValidateActivation(activation);
            return;
        }

        switch (activation)
        {
            case Activation.Identity:
                z.CopyTo(a);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(z, a);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(z, a);
                break;
            case Activation.Relu:
                Elementwise.Map(default(ReluForward<T>), z, default, default, a);
                break;
            case Activation.LeakyRelu:
                Elementwise.Map(default(LeakyReluForward<T>), z, default, default, a);
                break;
            case Activation.Gelu:
                Elementwise.Map(default(GeluForward<T>), z, default, default, a);
                break;
            default:
                throw UnknownActivation(activation);
        }
    }

    /// <summary>
    /// <c>dz[i] = da[i]·f'(z[i])</c>, the chain rule through the activation, given both the input
    /// <paramref name="z"/> and the output <paramref name="a"/> of the forward pass (each activation reads the one
    /// its derivative is cheapest in). <paramref name="dz"/> may alias <paramref name="da"/> exactly.
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from <paramref name="dz"/>'s, or spans partially overlap.</exception>
    public static void ActivationBackward<T>(Activation activation, Span<T> dz, ReadOnlySpan<T> da, ReadOnlySpan<T> z, ReadOnlySpan<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.Length(da.Length, dz.Length, nameof(da), "dz.Length");
        Guard.Length(z.Length, dz.Length, nameof(z), "dz.Length");
        Guard.Length(a.Length, dz.Length, nameof(a), "dz.Length");
        Guard.SameOrNoOverlap<T>(dz, da, nameof(dz), nameof(da));
        Guard.NoOverlap<T>(dz, z, nameof(dz), nameof(z));
        Guard.NoOverlap<T>(dz, a, nameof(dz), nameof(a));
        if (dz.IsEmpty)
        {
            ValidateActivation(activation);
            return;
        }

        BackwardCore(activation, dz, da, z, a);
    }

    /// <summary>
    /// <see cref="ActivationBackward"/> and then <c>db[o] += scale·Σ_n dz[n, o]</c>, row by row so that each row of ∂E/∂Z is
    /// summed while it is still in L1: the bias gradient costs no pass of its own (with db = b and scale = −μ, it is the
    /// SGD step on the bias). Validated by the caller; dz may alias da.
    /// </summary>
    internal static void BackwardWithBias<T>(Activation activation, Span<T> dz, ReadOnlySpan<T> da, ReadOnlySpan<T> z, ReadOnlySpan<T> a, Span<T> db, int batch, T scale)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int outputs = db.Length;
        for (int n = 0; n < batch; n++)
        {
            int start = n * outputs;
            Span<T> row = dz.Slice(start, outputs);
            if (activation != Activation.Identity)
            {
                BackwardCore(activation, row, da.Slice(start, outputs), z.Slice(start, outputs), a.Slice(start, outputs));
            }
            else if (!dz.Overlaps(da))
            {
                da.Slice(start, outputs).CopyTo(row);
            }

            if (scale == T.One)
            {
                TensorPrimitives.Add(db, row, db);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(row, scale, db, db);
            }
        }
    }

    // The chain rule through f, without validation (dz may alias da exactly).
    private static void BackwardCore<T>(Activation activation, Span<T> dz, ReadOnlySpan<T> da, ReadOnlySpan<T> z, ReadOnlySpan<T> a)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity:
                da.CopyTo(dz);
                break;
            case Activation.Sigmoid:
                Elementwise.Map(default(SigmoidBackward<T>), da, a, default, dz);
                break;
            case Activation.Tanh:
                Elementwise.Map(default(TanhBackward<T>), da, a, default, dz);
                break;
            case Activation.Relu:
                Elementwise.Map(new LeakyReluBackward<T>(T.Zero), da, z, default, dz);
                break;
            case Activation.LeakyRelu:
                Elementwise.Map(new LeakyReluBackward<T>(T.CreateTruncating(LeakySlope)), da, z, default, dz);
                break;
            case Activation.Gelu:
                Elementwise.Map(default(GeluBackward<T>), da, z, default, dz);
                break;
            default:
                throw UnknownActivation(activation);
        }
    }

    private static void ValidateActivation(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw UnknownActivation(activation);
        }
    }

    internal static ArgumentOutOfRangeException UnknownActivation(Activation activation)
        => new(nameof(activation), activation, $"Unknown activation {activation}.");

    // max(z, 0) propagates NaN, as the scalar T.Max does.
    internal readonly struct ReluForward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec z, TVec unused1, TVec unused2)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
            => TSimd.Max(z, TSimd.Zero);
    }

    // z > 0 ? z : slope·z   (NaN fails the test and stays NaN)
    internal readonly struct LeakyReluForward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec z, TVec unused1, TVec unused2)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
            => TSimd.Select(TSimd.GreaterThan(z, TSimd.Zero), z, TSimd.Multiply(z, TSimd.Create(T.CreateTruncating(LeakySlope))));
    }

    // dz = z > 0 ? da : slope·da   (slope 0 is ReLU)
    private readonly struct LeakyReluBackward<T>(T slope) : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec da, TVec z, TVec unused)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
            => TSimd.Select(TSimd.GreaterThan(z, TSimd.Zero), da, TSimd.Multiply(da, TSimd.Create(slope)));
    }

    // dz = da·a·(1 − a)
    private readonly struct SigmoidBackward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec da, TVec a, TVec unused)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
            => TSimd.Multiply(da, TSimd.Multiply(a, TSimd.Subtract(TSimd.Create(T.One), a)));
    }

    // dz = da·(1 − a²)
    private readonly struct TanhBackward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec da, TVec a, TVec unused)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
            => TSimd.Multiply(da, TSimd.Subtract(TSimd.Create(T.One), TSimd.Multiply(a, a)));
    }

    // a = ½·z·(1 + tanh u),  u = √(2/π)·(z + 0.044715·z³)
    internal readonly struct GeluForward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec z, TVec unused1, TVec unused2)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            TVec half = TSimd.Create(T.CreateTruncating(0.5));
            TVec t = Gelu.TanhOfInner<TVec, TSimd, T>(z);
            return TSimd.Multiply(TSimd.Multiply(half, z), TSimd.Add(TSimd.Create(T.One), t));
        }
    }

    // dz = da·(½·(1 + t) + ½·z·(1 − t²)·√(2/π)·(1 + 3·0.044715·z²)),  t = tanh u
    private readonly struct GeluBackward<T> : IElementwiseOp<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        public static int Arity => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVec Invoke<TVec, TSimd>(TVec da, TVec z, TVec unused)
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            TVec one = TSimd.Create(T.One);
            TVec half = TSimd.Create(T.CreateTruncating(0.5));
            TVec t = Gelu.TanhOfInner<TVec, TSimd, T>(z);
            TVec du = TSimd.Multiply(
                TSimd.Create(T.CreateTruncating(Gelu.Sqrt2OverPi)),
                TSimd.MultiplyAdd(TSimd.Create(T.CreateTruncating(3 * Gelu.Cubic)), TSimd.Multiply(z, z), one));
            TVec slope = TSimd.MultiplyAdd(
                TSimd.Multiply(TSimd.Multiply(half, z), TSimd.Subtract(one, TSimd.Multiply(t, t))),
                du,
                TSimd.Multiply(half, TSimd.Add(one, t)));
            return TSimd.Multiply(da, slope);
        }
    }
}

/// <summary>The constants and the inner tanh of the GELU tanh form.</summary>
internal static class Gelu
{
    public const double Sqrt2OverPi = 0.79788456080286535588;
    public const double Cubic = 0.044715;

    /// <summary><c>tanh(√(2/π)·(z + 0.044715·z³))</c>, as <c>sign(u)·(1 − e)/(1 + e)</c> with <c>e = exp(−2|u|)</c>,
    /// which never overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec TanhOfInner<TVec, TSimd, T>(TVec z)
        where TVec : struct
        where TSimd : struct, ISimd<TVec, T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TVec one = TSimd.Create(T.One);
        TVec z2 = TSimd.Multiply(z, z);
        TVec u = TSimd.Multiply(
            TSimd.Multiply(TSimd.Create(T.CreateTruncating(Sqrt2OverPi)), z),
            TSimd.MultiplyAdd(TSimd.Create(T.CreateTruncating(Cubic)), z2, one));
        TVec e = TSimd.Exp(TSimd.Multiply(TSimd.Create(T.CreateTruncating(-2.0)), TSimd.Abs(u)));
        TVec magnitude = TSimd.Divide(TSimd.Subtract(one, e), TSimd.Add(one, e));
        return TSimd.Select(TSimd.GreaterThan(TSimd.Zero, u), TSimd.Subtract(TSimd.Zero, magnitude), magnitude);
    }
}

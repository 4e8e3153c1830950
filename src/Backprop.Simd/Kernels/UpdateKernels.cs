using System.Numerics;
using System.Runtime.InteropServices;
using Backprop.Simd.Kernels.Simd;

namespace Backprop.Simd.Kernels;

/// <summary>Parameter updates: one vectorized pass over the whole contiguous parameter buffer.</summary>
public static partial class UpdateKernels
{
    /// <summary>
    /// Gradient descent, <c>parameters[i] −= learningRate·gradients[i]</c>, fused in one pass with (optionally)
    /// <c>gradients[i] = 0</c>, so the gradient buffer is ready for the next accumulation without a second sweep.
    /// Plain stores (not the non-temporal ones <c>TensorPrimitives</c> switches to on large arrays): a training
    /// loop reads the weights again at once.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or the spans overlap.</exception>
    public static void SgdUpdate<T>(Span<T> parameters, Span<T> gradients, T learningRate, bool clearGradients = false)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Guard.Length(gradients.Length, parameters.Length, nameof(gradients), "parameters.Length");
        Guard.NoOverlap<T>(parameters, gradients, nameof(parameters), nameof(gradients));
        if (parameters.IsEmpty)
        {
            return;
        }

        var kernel = new SgdKernel<T>(parameters, gradients, learningRate, clearGradients);
        SimdDispatch.Run<T, SgdKernel<T>>(ref kernel, parameters.Length);
    }

    /// <summary>The same update at the scalar width only (the oracle for tests).</summary>
    internal static void SgdUpdateScalar<T>(Span<T> parameters, Span<T> gradients, T learningRate, bool clearGradients)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var kernel = new SgdKernel<T>(parameters, gradients, learningRate, clearGradients);
        SimdDispatch.RunScalar<T, SgdKernel<T>>(ref kernel);
    }

    private readonly ref struct SgdKernel<T>(Span<T> parameters, Span<T> gradients, T learningRate, bool clearGradients)
        : ISimdKernel<T>
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly Span<T> _parameters = parameters;
        private readonly Span<T> _gradients = gradients;

        public void Run<TVec, TSimd>()
            where TVec : struct
            where TSimd : struct, ISimd<TVec, T>
        {
            ref T w = ref MemoryMarshal.GetReference(_parameters);
            ref T g = ref MemoryMarshal.GetReference(_gradients);
            nuint width = (nuint)TSimd.Count;
            nuint last = (nuint)_parameters.Length - width;
            TVec step = TSimd.Create(-learningRate);

            // w − μ·g as one FMA, g·(−μ) + w. The overlapping last vector is computed before the loop
            // writes, so its lanes are updated exactly once.
            TVec tail = TSimd.MultiplyAdd(TSimd.Load(ref g, last), step, TSimd.Load(ref w, last));
            if (clearGradients)
            {
                for (nuint i = 0; i < last; i += width)
                {
                    TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(ref g, i), step, TSimd.Load(ref w, i)), ref w, i);
                    TSimd.Store(TSimd.Zero, ref g, i);
                }

                TSimd.Store(TSimd.Zero, ref g, last);
            }
            else
            {
                for (nuint i = 0; i < last; i += width)
                {
                    TSimd.Store(TSimd.MultiplyAdd(TSimd.Load(ref g, i), step, TSimd.Load(ref w, i)), ref w, i);
                }
            }

            TSimd.Store(tail, ref w, last);
        }
    }
}

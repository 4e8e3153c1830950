using System.Numerics;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>
/// Both backward products at every width this machine has, forced. The kernel's tail is one overlapping vector
/// ending at column n − 1, so a width is only valid when its count is at most n (the dispatcher guarantees that);
/// every width is run on every shape that allows it.
/// </summary>
public class GemmAxpyTests
{
    [Fact]
    public void EveryWidthMatchesScalarReference_Float() => EveryWidthMatchesScalarReference<float>();

    [Fact]
    public void EveryWidthMatchesScalarReference_Double() => EveryWidthMatchesScalarReference<double>();

    private static void EveryWidthMatchesScalarReference<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        foreach ((int batch, int inputs, int outputs) in DenseShapes.All<T>())
        {
            DenseCase<T> c = DenseCase<T>.Create(batch, inputs, outputs);
            foreach (Width width in Widths.Available)
            {
                if (Widths.Count<T>(width) > inputs)
                {
                    continue;
                }

                // dX = dY·W, β = 0 over a NaN prefill.
                T[] dx = TestData.Nan<T>(batch * inputs);
                var kernel = new GemmAxpy<T>(dx, c.Dy, c.W, batch, inputs, outputs, rowStride: outputs, depthStride: 1, accumulate: false);
                Widths.Run<T, GemmAxpy<T>>(width, ref kernel);
                c.CheckBackwardData(dx, width.ToString());

                // dW += dYᵀ·X, β = 1 over a non-zero prefill.
                T[] dw = (T[])c.DwPrefill.Clone();
                var weights = new GemmAxpy<T>(dw, c.Dy, c.X, outputs, inputs, batch, rowStride: 1, depthStride: outputs, accumulate: true);
                Widths.Run<T, GemmAxpy<T>>(width, ref weights);
                c.CheckBackwardWeights(dw, width.ToString());
            }
        }
    }
}

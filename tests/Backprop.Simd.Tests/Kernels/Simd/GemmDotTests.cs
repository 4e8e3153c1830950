using System.Numerics;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels.Simd;

/// <summary>The forward product at every width this machine has, forced, whatever the shape (k may be shorter than a vector).</summary>
public class GemmDotTests
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
                T[] y = TestData.Nan<T>(batch * outputs);
                var kernel = new GemmDot<T>(y, c.X, c.W, c.B, batch, outputs, inputs);
                Widths.Run<T, GemmDot<T>>(width, ref kernel);
                c.CheckForward(y, bias: true, width.ToString());

                y = TestData.Nan<T>(batch * outputs);
                var unbiased = new GemmDot<T>(y, c.X, c.W, default, batch, outputs, inputs);
                Widths.Run<T, GemmDot<T>>(width, ref unbiased);
                c.CheckForward(y, bias: false, width.ToString());
            }
        }
    }
}

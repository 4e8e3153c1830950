using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using CsCheck;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// Random dimensions and random (mostly wrong) span lengths: every public kernel either succeeds with consistent
/// lengths or throws an <see cref="ArgumentException"/>; never IndexOutOfRangeException or anything else.
/// </summary>
public class KernelArgumentFuzzTests
{
    private static readonly Gen<(int[] Dims, int[] Lengths, int Which)> s_calls =
        Gen.Select(Gen.Int[-2, 9].Array[3], Gen.Int[0, 40].Array[6], Gen.Int[0, 7]);

    [Fact]
    public void OnlyArgumentExceptions()
        => s_calls.Sample(
            (dims, lengths, which) =>
            {
                int batch = dims[0], inputs = dims[1], outputs = dims[2];
                double[] s0 = new double[lengths[0]], s1 = new double[lengths[1]], s2 = new double[lengths[2]], s3 = new double[lengths[3]];
                try
                {
                    switch (which)
                    {
                        case 0:
                            DenseKernels.DenseForward<double>(s0, s1, s2, s3, batch, inputs, outputs);
                            break;
                        case 1:
                            DenseKernels.DenseBackwardData<double>(s0, s1, s2, batch, inputs, outputs);
                            break;
                        case 2:
                            DenseKernels.DenseBackwardWeights<double>(s0, s1, s2, batch, inputs, outputs);
                            break;
                        case 3:
                            DenseKernels.DenseBackwardBias<double>(s0, s1, batch, outputs);
                            break;
                        case 4:
                            ActivationKernels.ActivationForward<double>((Activation)(lengths[4] % 7), s0, s1);
                            break;
                        case 5:
                            ActivationKernels.ActivationBackward<double>((Activation)(lengths[4] % 7), s0, s1, s2, s3);
                            break;
                        case 6:
                            LossKernels.Compute<double>((Loss)(lengths[4] % 4), s0, s1, s2, batch);
                            break;
                        default:
                            UpdateKernels.SgdUpdate<double>(s0, s1, 0.1, lengths[5] % 2 == 0);
                            break;
                    }
                }
                catch (ArgumentException)
                {
                    // Expected for inconsistent arguments (ArgumentOutOfRangeException included).
                }
            },
            iter: PropertySettings.Iter(3000, 100000),
            seed: PropertySettings.Seed);
}

using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>Every public kernel allocates exactly 0 bytes after warm-up, in float and double.</summary>
public class KernelAllocationTests
{
    [Fact]
    public void KernelsAllocateNothing_Float() => KernelsAllocateNothing<float>();

    [Fact]
    public void KernelsAllocateNothing_Double() => KernelsAllocateNothing<double>();

    private static void KernelsAllocateNothing<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        const int batch = 5, inputs = 37, outputs = 11;
        var random = new Random(1);
        T[] x = TestData.Uniform<T>(random, batch * inputs, -1, 1), w = TestData.Uniform<T>(random, outputs * inputs, -1, 1);
        T[] b = TestData.Uniform<T>(random, outputs, -1, 1), y = new T[batch * outputs], dy = TestData.Uniform<T>(random, batch * outputs, -1, 1);
        T[] dx = new T[batch * inputs], dw = new T[outputs * inputs], db = new T[outputs];
        T[] z = TestData.Uniform<T>(random, 67, -3, 3), a = new T[67], dz = new T[67], da = TestData.Uniform<T>(random, 67, -1, 1);
        T[] t = TestData.Targets<T>(random, Loss.SoftmaxCrossEntropy, batch, outputs), g = new T[batch * outputs];
        T learningRate = T.CreateTruncating(1e-9);

        Allocations.AssertNone("DenseForward", () => DenseKernels.DenseForward<T>(y, x, w, b, batch, inputs, outputs));
        Allocations.AssertNone("DenseBackwardData", () => DenseKernels.DenseBackwardData<T>(dx, dy, w, batch, inputs, outputs));
        Allocations.AssertNone("DenseBackwardWeights", () => DenseKernels.DenseBackwardWeights<T>(dw, dy, x, batch, inputs, outputs));
        Allocations.AssertNone("DenseBackwardBias", () => DenseKernels.DenseBackwardBias<T>(db, dy, batch, outputs));
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            Allocations.AssertNone($"ActivationForward {activation}", () => ActivationKernels.ActivationForward<T>(activation, z, a));
            Allocations.AssertNone($"ActivationBackward {activation}", () => ActivationKernels.ActivationBackward<T>(activation, dz, da, z, a));
        }

        foreach (Loss loss in Enum.GetValues<Loss>())
        {
            Allocations.AssertNone($"Loss {loss}", () => LossKernels.Compute<T>(loss, y, t, g, batch));
        }

        Allocations.AssertNone("SquaredError", () => LossKernels.SquaredError<T>(y, t, g, batch));
        Allocations.AssertNone("SoftmaxCrossEntropy", () => LossKernels.SoftmaxCrossEntropy<T>(y, t, g, batch));
        Allocations.AssertNone("SigmoidCrossEntropy", () => LossKernels.SigmoidCrossEntropy<T>(y, t, g, batch));
        Allocations.AssertNone("SgdUpdate", () => UpdateKernels.SgdUpdate<T>(w, dw, learningRate));
        Allocations.AssertNone("SgdUpdate clear", () => UpdateKernels.SgdUpdate<T>(w, dw, learningRate, clearGradients: true));
    }
}

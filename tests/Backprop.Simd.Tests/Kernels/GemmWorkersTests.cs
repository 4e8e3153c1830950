using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.Kernels;

/// <summary>
/// Parallel products split C by whole panels of columns, and every column is computed by the same loop in the same
/// order as on one thread: results must be bit for bit those of the single-threaded call.
/// </summary>
public class GemmWorkersTests
{
    // Large enough to be split (≥ 16M multiply-adds, ≥ 2 panels), with tails in every dimension.
    [Theory]
    [InlineData(2, 131, 517, 257)]
    [InlineData(3, 67, 1025, 259)]
    public void DenseKernelsAreBitExactWithWorkers(int threads, int batch, int inputs, int outputs)
    {
        using var workers = new GemmWorkers(threads);
        BitExact<float>(workers, batch, inputs, outputs);
        BitExact<double>(workers, batch, inputs, outputs);
        Assert.Equal(6, workers.Runs);
    }

    private static void BitExact<T>(GemmWorkers workers, int batch, int inputs, int outputs)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        DenseCase<T> c = DenseCase<T>.Create(batch, inputs, outputs);
        T[] z1 = new T[batch * outputs], a1 = new T[batch * outputs], z2 = new T[batch * outputs], a2 = new T[batch * outputs];
        DenseKernels.DenseForward<T>(z1, a1, Activation.Gelu, c.X, c.W, c.B, batch, inputs, outputs);
        DenseKernels.DenseForward<T>(z2, a2, Activation.Gelu, c.X, c.W, c.B, batch, inputs, outputs, workers);
        Assert.Equal(z1, z2);
        Assert.Equal(a1, a2);
        c.CheckForward(z2, bias: true, "workers");

        T[] dx1 = new T[batch * inputs], dx2 = new T[batch * inputs];
        DenseKernels.DenseBackwardData<T>(dx1, c.Dy, c.W, batch, inputs, outputs);
        DenseKernels.DenseBackwardData<T>(dx2, c.Dy, c.W, batch, inputs, outputs, workers);
        Assert.Equal(dx1, dx2);

        T[] dw1 = (T[])c.DwPrefill.Clone(), dw2 = (T[])c.DwPrefill.Clone();
        DenseKernels.DenseBackwardWeights<T>(dw1, c.Dy, c.X, batch, inputs, outputs);
        DenseKernels.DenseBackwardWeights<T>(dw2, c.Dy, c.X, batch, inputs, outputs, workers);
        Assert.Equal(dw1, dw2);
        c.CheckBackwardWeights(dw2, "workers");
    }

    [Fact]
    public void NetworkTrainsIdenticallyWithWorkersAndAllocatesNothing()
    {
        NetworkSpec spec = NetworkSpec.Parse("600-512:relu-200:tanh-10");
        using var workers = new GemmWorkers(2);
        var alone = new Network<float>(spec, maxBatch: 96, seed: 1);
        var shared = new Network<float>(spec, maxBatch: 96, seed: 1) { Workers = workers };
        var random = new Random(2);
        float[] inputs = TestData.Uniform<float>(random, 96 * 600, -1, 1);
        float[] targets = TestData.Targets<float>(random, spec.Loss, 96, 10);
        for (int step = 0; step < 2; step++)
        {
            Assert.Equal(alone.TrainStep(inputs, targets, 96, 0.05f), shared.TrainStep(inputs, targets, 96, 0.05f));
        }

        Assert.Equal(alone.Parameters.ToArray(), shared.Parameters.ToArray());
        Assert.True(workers.Runs > 0, "no product ran on the workers");
        Allocations.AssertNone("TrainStep with workers", () => shared.TrainStep(inputs, targets, 96, 0.01f));
    }

    // The workers write into memory the caller pinned, so an interrupt pending on the calling thread must neither cut
    // the wait short nor be lost: it is raised again once every block is done.
    [Fact]
    public void PendingInterruptDoesNotCutTheWaitShort()
    {
        using var workers = new GemmWorkers(3);
        DenseCase<float> c = DenseCase<float>.Create(64, 1024, 512);
        float[] expected = new float[64 * 512];
        DenseKernels.DenseForward<float>(expected, c.X, c.W, c.B, 64, 1024, 512);
        Exception? failure = null;
        bool interruptKept = false;
        float[] actual = new float[64 * 512];
        var thread = new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 20; i++)
                {
                    Thread.CurrentThread.Interrupt();
                    DenseKernels.DenseForward<float>(actual, c.X, c.W, c.B, 64, 1024, 512, workers);
                    try
                    {
                        Thread.Sleep(0);
                    }
                    catch (ThreadInterruptedException)
                    {
                        interruptKept = true;
                    }
                }
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.True(interruptKept, "the interrupt was swallowed");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void DisposedWorkersFailACallBeforeItChangesAnything()
    {
        var workers = new GemmWorkers(2);
        workers.Dispose();
        var network = new Network<float>(NetworkSpec.Parse("4096-100:relu-10"), maxBatch: 41, seed: 1) { Workers = workers };
        float[] parameters = network.Parameters.ToArray();
        float[] inputs = TestData.Uniform<float>(new Random(1), 41 * 4096, -1, 1);
        float[] targets = TestData.Targets<float>(new Random(2), network.Spec.Loss, 41, 10);
        Assert.Throws<ObjectDisposedException>(() => network.TrainStep(inputs, targets, 41, 0.1f));
        Assert.Throws<ObjectDisposedException>(() => network.Backpropagate(inputs, targets, 41));
        Assert.Equal(parameters, network.Parameters.ToArray());
        Assert.Throws<ObjectDisposedException>(() => DenseKernels.DenseForward<float>(new float[2], new float[6], new float[3], default, 2, 3, 1, workers));
    }

    [Fact]
    public void RejectsBadThreadCountsAndUseAfterDispose()
    {
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => new GemmWorkers(0)).ParamName);
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => new GemmWorkers(257)).ParamName);

        var workers = new GemmWorkers(2);
        Assert.Equal(2, workers.Threads);
        workers.Dispose();
        workers.Dispose();
        var x = new float[64 * 512];
        var w = new float[512 * 512];
        var y = new float[64 * 512];
        Assert.Throws<ObjectDisposedException>(() => DenseKernels.DenseForward<float>(y, x, w, default, 64, 512, 512, workers));
    }
}

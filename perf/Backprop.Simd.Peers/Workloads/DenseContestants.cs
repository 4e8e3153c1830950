using Backprop.Simd.Benchmarks;
using Backprop.Simd.Kernels;
using Backprop.Simd.Peers.Infrastructure;
using Backprop.Simd.Peers.Onnx;
using Backprop.Simd.Peers.OpenBlas;
using Backprop.Simd.Peers.PlainCSharp;
using Backprop.Simd.Peers.Torch;

namespace Backprop.Simd.Peers.Workloads;

/// <summary>
/// Everyone who runs the products of one dense layer, X [batch, inputs], W [outputs, inputs], b and dY [batch, outputs],
/// seeded uniform in [−1, 1): forward <c>Y = X·Wᵀ + b</c> and backward <c>dX = dY·W</c>, <c>dW += dYᵀ·X</c>,
/// <c>db += Σ dY</c>. Without b it is the GEMM <c>C = A·Bᵀ</c> of W7 (A = X, B = W), where ONNX Runtime gets B as a
/// graph input like A (a GEMM of two operands); with b, W and b are initializers (a layer's constant weights, which
/// ONNX Runtime may pre-pack). Each contestant owns its buffers.
/// </summary>
internal sealed class DenseContestants : IDisposable
{
    private readonly float[] _x;
    private readonly float[] _w;
    private readonly float[] _b;
    private readonly float[] _dy;
    private readonly Buffers _engine;
    private readonly Buffers _openBlas;
    private readonly Buffers _plainCSharp;

    public DenseContestants(int batch, int inputs, int outputs, bool bias, bool backward)
    {
        (Batch, Inputs, Outputs) = (batch, inputs, outputs);
        var random = new Random(SeededData.Seed);
        _x = SeededData.Uniform(random, batch * inputs);
        _w = SeededData.Uniform(random, outputs * inputs);
        _b = bias ? SeededData.Uniform(random, outputs) : [];
        _dy = backward ? SeededData.Uniform(random, batch * outputs) : [];
        _engine = new Buffers(this);
        _openBlas = new Buffers(this);
        _plainCSharp = new Buffers(this);
        OpenBlasLibrary.Initialize();
        OnnxRuntime = bias
            ? OnnxRuntimePeer.ForMlp([new PeerLayer(inputs, outputs, Relu: false, _w, _b)], batch)
            : OnnxRuntimePeer.ForGemm(batch, outputs, inputs);
        _x.CopyTo(OnnxRuntime.Inputs[0], 0);
        if (!bias)
        {
            _w.CopyTo(OnnxRuntime.Inputs[1], 0);
        }

        TorchSharp = new TorchSharpDense(_w, _b, _x, _dy, batch, inputs, outputs);
    }

    public int Batch { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    public OnnxRuntimePeer OnnxRuntime { get; }

    public TorchSharpDense TorchSharp { get; }

    public void EngineForward() => DenseKernels.DenseForward<float>(_engine.Y, _x, _w, _b, Batch, Inputs, Outputs);

    /// <summary>The engine's forward pass with its product split between <paramref name="workers"/>' threads.</summary>
    public void EngineForward(GemmWorkers workers) => DenseKernels.DenseForward<float>(_engine.Y, _x, _w, _b, Batch, Inputs, Outputs, workers);

    /// <summary>Forward + backward with every product split between <paramref name="workers"/>' threads.</summary>
    public void EngineForwardBackward(GemmWorkers workers)
    {
        DenseKernels.DenseForward<float>(_engine.Y, _x, _w, _b, Batch, Inputs, Outputs, workers);
        DenseKernels.DenseBackwardData<float>(_engine.Dx, _dy, _w, Batch, Inputs, Outputs, workers);
        DenseKernels.DenseBackwardWeights<float>(_engine.Dw, _dy, _x, Batch, Inputs, Outputs, workers);
        DenseKernels.DenseBackwardBias<float>(_engine.Db, _dy, Batch, Outputs);
    }

    public void EngineForwardBackward()
    {
        DenseKernels.DenseForward<float>(_engine.Y, _x, _w, _b, Batch, Inputs, Outputs);
        DenseKernels.DenseBackwardData<float>(_engine.Dx, _dy, _w, Batch, Inputs, Outputs);
        DenseKernels.DenseBackwardWeights<float>(_engine.Dw, _dy, _x, Batch, Inputs, Outputs);
        DenseKernels.DenseBackwardBias<float>(_engine.Db, _dy, Batch, Outputs);
    }

    public void OpenBlasForward() => OpenBlasDense.Forward(_openBlas.Y, _x, _w, _b, Batch, Inputs, Outputs);

    public void OpenBlasForwardBackward()
    {
        OpenBlasDense.Forward(_openBlas.Y, _x, _w, _b, Batch, Inputs, Outputs);
        OpenBlasDense.BackwardData(_openBlas.Dx, _dy, _w, Batch, Inputs, Outputs);
        OpenBlasDense.BackwardWeights(_openBlas.Dw, _dy, _x, Batch, Inputs, Outputs);
        OpenBlasDense.BackwardBias(_openBlas.Db, _dy, Batch, Outputs);
    }

    public void PlainCSharpForward() => PlainCSharpDense.Forward(_plainCSharp.Y, _x, _w, _b, Batch, Inputs, Outputs);

    public void PlainCSharpForwardBackward()
    {
        PlainCSharpDense.Forward(_plainCSharp.Y, _x, _w, _b, Batch, Inputs, Outputs);
        PlainCSharpDense.BackwardData(_plainCSharp.Dx, _dy, _w, Batch, Inputs, Outputs);
        PlainCSharpDense.BackwardWeights(_plainCSharp.Dw, _dy, _x, Batch, Inputs, Outputs);
        PlainCSharpDense.BackwardBias(_plainCSharp.Db, _dy, Batch, Outputs);
    }

    /// <summary>Runs every forward pass once and compares Y with the engine's.</summary>
    public void CheckForward(string workload, Agreement agreement)
    {
        EngineForward();
        float[] y = _engine.Y;
        OnnxRuntime.Run();
        agreement.Compare(workload, "ONNX Runtime", ("Y", y, OnnxRuntime.Output));
        OpenBlasForward();
        agreement.Compare(workload, "OpenBLAS", ("Y", y, _openBlas.Y));
        agreement.Compare(workload, "TorchSharp", ("Y", y, TorchSharp.ForwardResult()));
        PlainCSharpForward();
        agreement.Compare(workload, "plain C#", ("Y", y, _plainCSharp.Y));
    }

    /// <summary>Runs every forward + backward once from cleared gradients and compares Y, dX, dW and db with the engine's.</summary>
    public void CheckForwardBackward(string workload, Agreement agreement)
    {
        foreach (Buffers buffers in (Buffers[])[_engine, _openBlas, _plainCSharp])
        {
            buffers.Clear();
        }

        EngineForwardBackward();
        OpenBlasForwardBackward();
        PlainCSharpForwardBackward();
        agreement.Compare(workload, "OpenBLAS", _engine.Against(_openBlas));
        (float[] dx, float[] dw, float[] db) = TorchSharp.ForwardBackwardResult();
        agreement.Compare(workload, "TorchSharp", ("dX", _engine.Dx, dx), ("dW", _engine.Dw, dw), ("db", _engine.Db, db));
        agreement.Compare(workload, "plain C#", _engine.Against(_plainCSharp));
    }

    public void Dispose()
    {
        OnnxRuntime.Dispose();
        TorchSharp.Dispose();
    }

    private sealed class Buffers(DenseContestants shape)
    {
        public float[] Y { get; } = new float[shape.Batch * shape.Outputs];

        public float[] Dx { get; } = new float[shape._dy.Length > 0 ? shape.Batch * shape.Inputs : 0];

        public float[] Dw { get; } = new float[shape._dy.Length > 0 ? shape.Outputs * shape.Inputs : 0];

        public float[] Db { get; } = new float[shape._dy.Length > 0 ? shape.Outputs : 0];

        public void Clear()
        {
            Array.Clear(Y);
            Array.Clear(Dx);
            Array.Clear(Dw);
            Array.Clear(Db);
        }

        public (string, float[], float[])[] Against(Buffers peer)
            => [("Y", Y, peer.Y), ("dX", Dx, peer.Dx), ("dW", Dw, peer.Dw), ("db", Db, peer.Db)];
    }
}

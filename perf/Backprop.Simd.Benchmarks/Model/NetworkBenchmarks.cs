using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Backprop.Simd.Benchmarks.Peers;
using Backprop.Simd.Benchmarks.Regression;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.Benchmarks.Model;

/// <summary>
/// Whole-network workloads: W1 single-sample inference (784-128-10 and 16-32-1), W2 a training step at batch 64,
/// W5 online learning at batch 1. Each W1 category has the plain C# peer as its baseline, so Ratio is engine over
/// peer; every peer and the engine are checked against the naive oracle in [GlobalSetup] before anything is timed.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class NetworkBenchmarks
{
    private const float LearningRate = 0.01f;
    private const int W2Batch = 64;

    // W2's step counted as its GEMMs: 2·B·I·O flops per product, three products a layer (forward, dX, dW) except the
    // first, which has no dX. The activations, the loss and the update are left out, so this is the step's effective
    // % of the FMA peak (64.5 MFLOP).
    private const double W2Flops = 2.0 * W2Batch * ((2 * 784 * 256) + (3 * 256 * 128) + (3 * 128 * 10));

    private Network<float> _w1Mnist = null!;
    private Network<float> _w1Tiny = null!;
    private Network<float> _w2 = null!;
    private Network<float> _w5 = null!;
    private InferenceModel<float> _w1MnistModel = null!;
    private InferenceModel<float> _w1TinyModel = null!;
    private PlainCSharpMlp _w1MnistPeer = null!;
    private PlainCSharpMlp _w1TinyPeer = null!;

    private float[] _mnistInput = [];
    private float[] _mnistOutput = [];
    private float[] _tinyInput = [];
    private float[] _tinyOutput = [];
    private float[] _w2Inputs = [];
    private float[] _w2Targets = [];
    private float[] _w5Targets = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(SeededData.Seed);

        // 784-128-10: ~400 KB of weights, in L2; ReLU hidden, logits out.
        _w1Mnist = new Network<float>(NetworkSpec.Parse("784-128-10"), maxBatch: 1, seed: SeededData.Seed);
        _mnistInput = SeededData.Uniform(random, 784, 0f, 1f);
        _mnistOutput = new float[10];
        _w1MnistPeer = new PlainCSharpMlp(_w1Mnist);

        // 16-32-1: 2.2 KB of weights, a regression head; per-call overhead is all there is.
        _w1Tiny = new Network<float>(NetworkSpec.Parse("16-32-1", loss: Loss.SquaredError), maxBatch: 1, seed: SeededData.Seed);
        _tinyInput = SeededData.Uniform(random, 16);
        _tinyOutput = new float[1];
        _w1TinyPeer = new PlainCSharpMlp(_w1Tiny);

        _w2 = new Network<float>(NetworkSpec.Parse("784-256-128-10"), maxBatch: W2Batch, seed: SeededData.Seed);
        _w2Inputs = SeededData.Uniform(random, W2Batch * 784, 0f, 1f);
        _w2Targets = SeededData.OneHot(random, W2Batch, 10);

        _w5 = new Network<float>(NetworkSpec.Parse("784-128-10"), maxBatch: 1, seed: SeededData.Seed);
        _w5Targets = SeededData.OneHot(random, 1, 10);

        _w1MnistModel = _w1Mnist.ToInferenceModel();
        _w1TinyModel = _w1Tiny.ToInferenceModel();
        CheckAgainstOracle("Network.Predict 784-128-10", _w1Mnist, _mnistInput, _w1Mnist.Predict);
        CheckAgainstOracle("InferenceModel.Predict 784-128-10", _w1Mnist, _mnistInput, _w1MnistModel.Predict);
        CheckAgainstOracle("InferenceModel.Predict 16-32-1", _w1Tiny, _tinyInput, _w1TinyModel.Predict);
        CheckAgainstOracle("PlainCSharpMlp 784-128-10", _w1Mnist, _mnistInput, _w1MnistPeer.Predict);
        CheckAgainstOracle("Network.Predict 16-32-1", _w1Tiny, _tinyInput, _w1Tiny.Predict);
        CheckAgainstOracle("PlainCSharpMlp 16-32-1", _w1Tiny, _tinyInput, _w1TinyPeer.Predict);
    }

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "W1 Predict 784-128-10 b1 (weights in L2: L2 load bandwidth)")]
    [BenchmarkCategory("W1-784-128-10")]
    public void PredictMnist() => _w1Mnist.Predict(_mnistInput, _mnistOutput);

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "W1 InferenceModel.Predict 784-128-10 b1 (Wᵀ streamed once from L2: L2 load bandwidth)")]
    [BenchmarkCategory("W1-784-128-10")]
    public void InferencePredictMnist() => _w1MnistModel.Predict(_mnistInput, _mnistOutput);

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Baseline = true, Description = "W1 peer: plain C# TensorPrimitives.Dot 784-128-10 b1 (L2 load bandwidth)")]
    [BenchmarkCategory("W1-784-128-10")]
    public void PlainCSharpPredictMnist() => _w1MnistPeer.Predict(_mnistInput, _mnistOutput);

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "W1 Predict 16-32-1 b1 (in L1: per-call overhead and latency)")]
    [BenchmarkCategory("W1-16-32-1")]
    public void PredictTiny() => _w1Tiny.Predict(_tinyInput, _tinyOutput);

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "W1 InferenceModel.Predict 16-32-1 b1 (in L1: per-call overhead and latency)")]
    [BenchmarkCategory("W1-16-32-1")]
    public void InferencePredictTiny() => _w1TinyModel.Predict(_tinyInput, _tinyOutput);

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Baseline = true, Description = "W1 peer: plain C# TensorPrimitives.Dot 16-32-1 b1 (per-call overhead)")]
    [BenchmarkCategory("W1-16-32-1")]
    public void PlainCSharpPredictTiny() => _w1TinyPeer.Predict(_tinyInput, _tinyOutput);

    // Training the same batch again and again only lowers its loss: no divergence in any run length.
    [Normalize(BenchmarkKind.Compute, Work = W2Flops)]
    [Benchmark(Description = "W2 TrainStep 784-256-128-10 b64 softmax CE (GEMMs: FMA peak; ~1 MB params in L2/L3)")]
    [BenchmarkCategory("W2")]
    public float TrainStepBatch64() => _w2.TrainStep(_w2Inputs, _w2Targets, W2Batch, LearningRate);

    // Batch 1 is a chain of matrix-vector products, each waiting on the last: timed against the latency reference.
    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "W5 TrainStep 784-128-10 b1 (matrix-vector: L2 bandwidth, W and dW streamed several times a step)")]
    [BenchmarkCategory("W5")]
    public float TrainStepBatch1() => _w5.TrainStep(_mnistInput, _w5Targets, 1, LearningRate);

    private delegate void PredictOne(ReadOnlySpan<float> input, Span<float> output);

    private static void CheckAgainstOracle(string who, Network<float> network, float[] input, PredictOne predict)
    {
        var actual = new float[network.OutputSize];
        predict(input, actual);
        OutputCheck.AssertClose(who, NaiveMlp.Forward(network, input, 1), actual);
    }
}

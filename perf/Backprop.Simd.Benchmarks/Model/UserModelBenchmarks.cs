using BenchmarkDotNet.Attributes;
using Backprop.Simd.Benchmarks.Regression;
using Backprop.Simd.Compare.Contract;
using Backprop.Simd.IO;
using Backprop.Simd.Model;

namespace Backprop.Simd.Benchmarks.Model;

/// <summary>
/// Your own model's latency, tracked with the same normalization and comparer as the engine's own rows: set
/// <c>BACKPROP_MODEL</c> to a model file (written by <c>backprop train --save</c> or <c>ModelFile.Save</c>) and run
/// <c>--filter '*UserModel*'</c>. Without the variable a seeded 784-128-10 model, saved and loaded through the same
/// file path, stands in, so the benchmark always runs. The model's file name is part of the benchmark's ID, so runs
/// of different models are never compared with each other.
/// </summary>
[MemoryDiagnoser]
public class UserModelBenchmarks
{
    private InferenceModel<float> _model = null!;
    private InferenceWorkspace<float> _workspace = null!;
    private float[] _inputs = [];
    private float[] _outputs = [];

    /// <summary>The model to time: the file named by <c>BACKPROP_MODEL</c>, or the stand-in.</summary>
    public static IEnumerable<UserModel> Models => [UserModel.FromEnvironment()];

    [ParamsSource(nameof(Models))]
    public UserModel Model { get; set; } = null!;

    /// <summary>A single request, and a small batch of them.</summary>
    [Params(1, 16)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = Model.Load();
        IReadOnlyList<int> sizes = _model.Spec.Sizes;
        _workspace = _model.CreateWorkspace(Batch);
        _inputs = SeededData.Uniform(new Random(SeededData.Seed), Batch * sizes[0], 0f, 1f);
        _outputs = new float[Batch * sizes[^1]];
    }

    [Normalize(BenchmarkKind.Latency)]
    [Benchmark(Description = "Your model: InferenceModel.Predict (set BACKPROP_MODEL to its file)")]
    public void Predict() => _model.Predict(_inputs, _outputs, Batch, _workspace);
}

/// <summary>A model file to benchmark (<see cref="Path"/>), or null for the seeded stand-in.</summary>
public sealed record UserModel(string? Path)
{
    /// <summary>The environment variable naming the model file.</summary>
    public const string Variable = "BACKPROP_MODEL";

    public static UserModel FromEnvironment()
        => new(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? System.IO.Path.GetFullPath(path) : null);

    /// <summary>Loads the model; the stand-in is saved to a temporary file first, so both take the same path.</summary>
    public InferenceModel<float> Load()
    {
        if (Path is not null)
        {
            return ModelFile.Load<float>(Path);
        }

        string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"backprop-standin-{Environment.ProcessId}.safetensors");
        try
        {
            var network = new Network<float>(NetworkSpec.Parse("784-128-10"), maxBatch: 1, seed: SeededData.Seed);
            ModelFile.Save(network.ToInferenceModel(), file);
            return ModelFile.Load<float>(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Part of the benchmark ID: the file name, or what stands in for it.
    public override string ToString() => Path is null ? "seeded 784-128-10" : System.IO.Path.GetFileName(Path);
}

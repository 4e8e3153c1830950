using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Backprop.Simd.IO;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.IO;

/// <summary>Save → Load is bit-exact in float and double, the file is the documented safetensors layout, and dtypes convert.</summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("backprop-io-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RoundTripIsBitExact_Float() => RoundTripIsBitExact<float>();

    [Fact]
    public void RoundTripIsBitExact_Double() => RoundTripIsBitExact<double>();

    [Fact]
    public void SavesAnInferenceModelAndOverwritesAnOlderFile()
    {
        var spec = NetworkSpec.Parse("5-4:sigmoid-3:identity", loss: Loss.SquaredError);
        string path = Path.Combine(_directory, "m.safetensors");
        ModelFile.Save(new Network<float>(spec, 1, seed: 1), path);
        InferenceModel<float> model = new Network<float>(spec, 1, seed: 2).ToInferenceModel();

        ModelFile.Save(model, path);

        InferenceModel<float> loaded = ModelFile.Load<float>(path);
        Assert.True(loaded.Parameters.SequenceEqual(model.Parameters));
        Assert.Equal(Loss.SquaredError, loaded.Spec.Loss);
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void FileIsSequentialNamedSafetensorsWithMetadataAndAlignedData()
    {
        var spec = NetworkSpec.Parse("4-3:tanh-2:identity");
        var network = new Network<double>(spec, 1, seed: 3);
        byte[] file = SafetensorsFiles.Written<double>(spec, network.Parameters);

        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(0, (8 + headerLength) % 8);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, headerLength));
        JsonElement root = header.RootElement;
        Assert.Equal("backprop.simd", root.GetProperty("__metadata__").GetProperty("format").GetString());
        Assert.Equal("4-3:tanh-2:identity", root.GetProperty("__metadata__").GetProperty("spec").GetString());
        Assert.Equal("SoftmaxCrossEntropy", root.GetProperty("__metadata__").GetProperty("loss").GetString());
        Assert.Equal("F64", root.GetProperty("2.weight").GetProperty("dtype").GetString());
        Assert.Equal([2, 3], root.GetProperty("2.weight").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([3], root.GetProperty("0.bias").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));

        // The data section is the parameter buffer, little-endian, W then b layer after layer.
        JsonElement offsets = root.GetProperty("2.bias").GetProperty("data_offsets");
        int begin = offsets[0].GetInt32();
        Assert.Equal(network.Layers[1].BiasOffset * 8, begin);
        Assert.Equal(network.Biases(1)[1], BinaryPrimitives.ReadDoubleLittleEndian(file.AsSpan(8 + headerLength + begin + 8)));
        Assert.Equal(8 + headerLength + (spec.ParameterCount * 8), file.Length);
    }

    [Fact]
    public void F32LoadsIntoDoubleExactly_AndF64IntoFloatRoundsToNearest()
    {
        var spec = NetworkSpec.Parse("6-5-3");
        var network = new Network<double>(spec, 1, seed: 4);
        network.Parameters[0] = 0.1;
        float[] singles = [.. network.Parameters.ToArray().Select(v => (float)v)];

        InferenceModel<double> widened = ModelFile.Load<double>(SafetensorsFiles.Written<float>(spec, singles));
        InferenceModel<float> narrowed = ModelFile.Load<float>(SafetensorsFiles.Written<double>(spec, network.Parameters));

        Assert.Equal(singles.Select(v => (double)v), widened.Parameters.ToArray());
        Assert.Equal(singles, narrowed.Parameters.ToArray());
    }

    [Fact]
    public void NonFiniteWeightsLoadWhenAllowed_BitExact()
    {
        var spec = NetworkSpec.Parse("2-2");
        float[] parameters = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 1f, 2f];
        byte[] file = SafetensorsFiles.Written<float>(spec, parameters);

        InferenceModel<float> model = ModelFile.Load<float>(file, new ModelLoadOptions { AllowNonFinite = true });

        Assert.Equal(parameters.Select(BitConverter.SingleToInt32Bits), model.Parameters.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void OptionsSpecThatAgreesIsUsed_WithItsLoss()
    {
        var spec = NetworkSpec.Parse("3-4-2", loss: Loss.SoftmaxCrossEntropy);
        byte[] file = SafetensorsFiles.Written<float>(spec, new Network<float>(spec, 1).Parameters);
        var given = NetworkSpec.Parse("3-4:relu-2:identity", loss: Loss.SquaredError);

        InferenceModel<float> model = ModelFile.Load<float>(file, new ModelLoadOptions { Spec = given });

        Assert.Same(given, model.Spec);
    }

    [Fact]
    public void PredictionWithTheLoadedModelAllocatesNothing()
    {
        var spec = NetworkSpec.Parse("7-6:gelu-3:identity");
        InferenceModel<float> model = ModelFile.Load<float>(SafetensorsFiles.Written<float>(spec, new Network<float>(spec, 1, seed: 5).Parameters));
        float[] inputs = TestData.Uniform<float>(new Random(6), 7 * 20, -1, 1), outputs = new float[3 * 20];

        Allocations.AssertNone("Predict one", () => model.Predict(inputs.AsSpan(0, 7), outputs.AsSpan(0, 3)));
        Allocations.AssertNone("Predict batch", () => model.Predict(inputs, outputs, 20));
    }

    [Fact]
    public void WriteRejectsAWrongParameterCountNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFile.Write<float>(NetworkSpec.Parse("2-2"), new float[5], Stream.Null));
        Assert.Equal("parameters", error.ParamName);
    }

    [Fact]
    public void LoadOfAMissingFileIsAnIOException()
        => Assert.Throws<FileNotFoundException>(() => ModelFile.Load<float>(Path.Combine(_directory, "absent.safetensors")));

    private void RoundTripIsBitExact<T>()
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = NetworkSpec.Parse("9-12:leaky-relu-7:tanh-4:identity", loss: Loss.SigmoidCrossEntropy);
        var network = new Network<T>(spec, 4, seed: 7);
        TestData.Uniform<T>(new Random(8), network.Parameters.Length, -3, 3).CopyTo(network.Parameters);
        string path = Path.Combine(_directory, $"{typeof(T).Name}.safetensors");

        ModelFile.Save(network, path);
        InferenceModel<T> loaded = ModelFile.Load<T>(path);

        Assert.Equal(spec.ToString(), loaded.Spec.ToString());
        Assert.Equal(spec.Loss, loaded.Spec.Loss);
        Assert.True(loaded.Parameters.SequenceEqual(network.Parameters), "parameters differ after the round trip");
        const int batch = 11;
        T[] inputs = TestData.Uniform<T>(new Random(9), batch * 9, -2, 2);
        T[] expected = new T[batch * 4], actual = new T[batch * 4];
        // The loaded model predicts bit for bit what a snapshot of the network does (both run the inference kernels).
        network.ToInferenceModel().Predict(inputs, expected, batch);
        loaded.Predict(inputs, actual, batch);
        Assert.Equal(expected, actual);
        Assert.Equal(Encoding.UTF8.GetString(File.ReadAllBytes(path)), Encoding.UTF8.GetString(SafetensorsFiles.Written<T>(spec, network.Parameters)));
    }
}

using Backprop.Simd.IO;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;
using Backprop.Simd.Tests.Support;
using Xunit;

namespace Backprop.Simd.Tests.IO;

/// <summary>
/// Files as <c>safetensors.torch.save_file(model.state_dict(), …)</c> writes them for an nn.Sequential (no metadata,
/// names <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, …, padded header) load with a given spec and predict like a
/// network holding the same weights.
/// </summary>
public class PyTorchStateDictTests
{
    [Theory]
    [InlineData("", 2)]
    [InlineData("net.", 2)]
    [InlineData("", 1)]
    [InlineData("model.layers.", 3)]
    public void LoadsAndPredictsLikeTheNetwork(string prefix, int moduleStride)
    {
        var spec = NetworkSpec.Parse("10-16:relu-8:tanh-3:identity");
        var network = new Network<float>(spec, 8, seed: 11);
        TestData.Uniform<float>(new Random(12), spec.ParameterCount, -1, 1).CopyTo(network.Parameters);
        byte[] file = SafetensorsFiles.StateDictOf(network, prefix, moduleStride);

        InferenceModel<float> model = ModelFile.Load<float>(file, new ModelLoadOptions { Spec = spec });

        const int batch = 13;
        float[] inputs = TestData.Uniform<float>(new Random(13), batch * 10, -2, 2);
        float[] expected = new float[batch * 3], actual = new float[batch * 3];
        network.ToInferenceModel().Predict(inputs, expected, batch);
        model.Predict(inputs, actual, batch);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void LayersAreOrderedByNumericIndex_So10ComesAfter2()
    {
        // Six layers: modules 0, 2, 4, 6, 8, 10. Ordered as text, "10" would sort before "2".
        var spec = NetworkSpec.Parse("2-3-4-5-4-3-2");
        var network = new Network<float>(spec, 1, seed: 14);
        TestData.Uniform<float>(new Random(15), spec.ParameterCount, -1, 1).CopyTo(network.Parameters);

        InferenceModel<float> model = ModelFile.Load<float>(SafetensorsFiles.StateDictOf(network), new ModelLoadOptions { Spec = spec });

        Assert.True(model.Parameters.SequenceEqual(network.Parameters));
    }

    [Fact]
    public void ForeignMetadataIsIgnored()
    {
        // transformers' save_pretrained writes {"format": "pt"}.
        var spec = NetworkSpec.Parse("3-2");
        byte[] file = SafetensorsFiles.StateDict(
            [("0.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("0.bias", [2], [7, 8])], metadataJson: "{\"format\": \"pt\"}");

        InferenceModel<double> model = ModelFile.Load<double>(file, new ModelLoadOptions { Spec = spec });

        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8], model.Parameters.ToArray());
    }

    [Fact]
    public void WithoutASpecTheErrorSaysToPassOne()
    {
        byte[] file = SafetensorsFiles.StateDict([("0.weight", [2, 3], new float[6]), ("0.bias", [2], new float[2])]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file));
        Assert.Contains("ModelLoadOptions.Spec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecThatDisagreesWithTheFileIsRejected()
    {
        var spec = NetworkSpec.Parse("3-4:relu-2:identity");
        byte[] file = SafetensorsFiles.Written<float>(spec, new Network<float>(spec, 1).Parameters);
        var error = Assert.Throws<InvalidDataException>(
            () => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse("3-4:tanh-2:identity") }));
        Assert.Contains("3-4:relu-2:identity", error.Message, StringComparison.Ordinal);
        Assert.Contains("3-4:tanh-2:identity", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3-2-2", "has 1 layer(s)")]
    [InlineData("4-2", "needs [2, 4]")]
    [InlineData("3-5", "needs [5, 3]")]
    public void ShapesOrLayerCountsThatDisagreeWithTheSpecAreRejected(string layers, string fragment)
    {
        byte[] file = SafetensorsFiles.StateDict([("0.weight", [2, 3], new float[6]), ("0.bias", [2], new float[2])]);
        var error = Assert.Throws<InvalidDataException>(
            () => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse(layers, loss: Loss.SquaredError) }));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraTensorsAreRejectedByName()
    {
        byte[] file = SafetensorsFiles.StateDict(
            [("0.weight", [2, 3], new float[6]), ("0.bias", [2], new float[2]), ("1.running_mean", [2], new float[2]), ("head", [1], new float[1])]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse("3-2") }));
        Assert.Contains("'1.running_mean'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'head'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.weight", "'0.bias'")]
    [InlineData("0.bias", "'0.weight'")]
    public void AMissingWeightOrBiasIsNamed(string present, string missing)
    {
        int[] shape = present.EndsWith("weight", StringComparison.Ordinal) ? [2, 3] : [2];
        byte[] file = SafetensorsFiles.StateDict([(present, shape, new float[shape.Aggregate(1, (a, b) => a * b)])]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse("3-2") }));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoSequentialModulesAreRejected()
    {
        byte[] file = SafetensorsFiles.StateDict(
            [("features.0.weight", [2, 3], new float[6]), ("features.0.bias", [2], new float[2]), ("classifier.0.weight", [2, 2], new float[4]), ("classifier.0.bias", [2], new float[2])]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse("3-2-2") }));
        Assert.Contains("only one nn.Sequential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoSpellingsOfOneIndexAreRejected()
    {
        byte[] file = SafetensorsFiles.StateDict(
            [("0.weight", [2, 3], new float[6]), ("0.bias", [2], new float[2]), ("00.weight", [2, 3], new float[6]), ("00.bias", [2], new float[2])]);
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(file, new ModelLoadOptions { Spec = NetworkSpec.Parse("3-2") }));
        Assert.Contains("same index 0", error.Message, StringComparison.Ordinal);
    }
}

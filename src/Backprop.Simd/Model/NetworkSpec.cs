using System.Globalization;
using System.Text;
using Backprop.Simd.Kernels;

namespace Backprop.Simd.Model;

/// <summary>
/// The architecture of a multilayer perceptron: layer sizes, one activation per dense layer, and the loss.
/// Written compactly as <c>784-256-128-10</c>, with optional per-layer activations after a colon
/// (<c>64-32:tanh-10:identity</c>); layers without one take the hidden or output default.
/// </summary>
public sealed class NetworkSpec
{
    private readonly int[] _sizes;
    private readonly Activation[] _activations;

    /// <summary>Creates a spec from explicit sizes (inputs first) and one activation per dense layer.</summary>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size that is not positive, a count of activations
    /// that is not one per layer, a cross-entropy loss behind an output activation other than identity, or a softmax over
    /// fewer than two outputs.</exception>
    public NetworkSpec(IReadOnlyList<int> sizes, IReadOnlyList<Activation> activations, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(activations);
        if (sizes.Count < 2)
        {
            throw new ArgumentException($"sizes needs at least 2 entries (inputs and outputs), but has {sizes.Count}.", nameof(sizes));
        }

        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] <= 0)
            {
                throw new ArgumentException($"sizes[{i}] is {sizes[i]}; every layer size must be positive.", nameof(sizes));
            }
        }

        if (activations.Count != sizes.Count - 1)
        {
            throw new ArgumentException(
                $"activations has {activations.Count} entries, but {sizes.Count} sizes make {sizes.Count - 1} layers.", nameof(activations));
        }

        foreach (Activation activation in activations)
        {
            if (!Enum.IsDefined(activation))
            {
                throw new ArgumentException($"activations contains an unknown activation ({(int)activation}).", nameof(activations));
            }
        }

        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentException($"loss {(int)loss} is not a known loss.", nameof(loss));
        }

        if (loss != Loss.SquaredError && activations[^1] != Activation.Identity)
        {
            throw new ArgumentException(
                $"{loss} takes logits, so the output layer's activation must be {Activation.Identity}, not {activations[^1]}.",
                nameof(activations));
        }

        if (loss == Loss.SoftmaxCrossEntropy && sizes[^1] < 2)
        {
            throw new ArgumentException(
                $"{loss} needs at least 2 outputs (a softmax over one logit is constant, so nothing can be learned); "
                + $"for one output use {Loss.SigmoidCrossEntropy} or {Loss.SquaredError}.",
                nameof(sizes));
        }

        _sizes = [.. sizes];
        _activations = [.. activations];
        Loss = loss;
    }

    /// <summary>Layer sizes, inputs first.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>One activation per dense layer.</summary>
    public IReadOnlyList<Activation> Activations => _activations;

    /// <summary>The objective the network is trained on.</summary>
    public Loss Loss { get; }

    /// <summary>Features per sample.</summary>
    public int InputSize => _sizes[0];

    /// <summary>Outputs per sample.</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>Number of dense layers.</summary>
    public int LayerCount => _activations.Length;

    /// <summary>Weights and biases of every layer together: the length of a parameter buffer.</summary>
    public int ParameterCount
    {
        get
        {
            long count = 0;
            for (int l = 0; l < _activations.Length; l++)
            {
                count += ((long)_sizes[l] * _sizes[l + 1]) + _sizes[l + 1];
            }

            return count <= Array.MaxLength
                ? (int)count
                : throw new InvalidOperationException($"{this} has {count} parameters, more than one buffer can hold.");
        }
    }

    /// <summary>The dense layers with their offsets into a parameter buffer: W then b, layer after layer.</summary>
    public DenseLayer[] CreateLayers()
    {
        _ = ParameterCount;
        var layers = new DenseLayer[_activations.Length];
        int offset = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l] = new DenseLayer(_sizes[l], _sizes[l + 1], _activations[l], offset);
            offset += layers[l].ParameterCount;
        }

        return layers;
    }

    /// <summary>
    /// Parses <c>784-256-128-10</c> or <c>64-32:tanh-10:identity</c>. Activation names: identity (or linear),
    /// sigmoid, tanh, relu, leaky-relu, gelu.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not of that form, or the spec it describes is invalid.</exception>
    public static NetworkSpec Parse(string layers, Activation hidden = Activation.Relu, Activation output = Activation.Identity, Loss loss = Loss.SoftmaxCrossEntropy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(layers);
        string[] parts = SplitLayers(layers);
        var sizes = new int[parts.Length];
        var activations = new Activation[Math.Max(parts.Length - 1, 0)];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            int colon = part.IndexOf(':');
            string number = colon < 0 ? part : part[..colon];
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
            {
                throw new ArgumentException(
                    $"layers '{layers}': '{number}' is not a positive layer size (expected e.g. 784-256-128-10).", nameof(layers));
            }

            if (i == 0)
            {
                if (colon >= 0)
                {
                    throw new ArgumentException($"layers '{layers}': the input size takes no activation.", nameof(layers));
                }

                continue;
            }

            bool last = i == parts.Length - 1;
            activations[i - 1] = colon < 0 ? (last ? output : hidden) : ParseActivation(part[(colon + 1)..], nameof(layers));
        }

        return new NetworkSpec(sizes, activations, loss);
    }

    // Split on '-', but a piece that starts with a letter continues the previous piece's activation name
    // ("4-3:leaky-relu" is two layers, not three).
    private static string[] SplitLayers(string layers)
    {
        var parts = new List<string>();
        foreach (string piece in layers.Split('-', StringSplitOptions.TrimEntries))
        {
            if (parts.Count > 0 && piece.Length > 0 && char.IsAsciiLetter(piece[0]) && parts[^1].Contains(':', StringComparison.Ordinal))
            {
                parts[^1] += "-" + piece;
            }
            else
            {
                parts.Add(piece);
            }
        }

        return [.. parts];
    }

    /// <summary>Parses an activation name: identity (or linear), sigmoid, tanh, relu, leaky-relu, gelu.</summary>
    /// <exception cref="ArgumentException">The name is none of these.</exception>
    public static Activation ParseActivation(string name, string paramName = "name")
        => name.Trim().ToLowerInvariant() switch
        {
            "identity" or "linear" => Activation.Identity,
            "sigmoid" => Activation.Sigmoid,
            "tanh" => Activation.Tanh,
            "relu" => Activation.Relu,
            "leaky-relu" or "leakyrelu" or "leaky_relu" => Activation.LeakyRelu,
            "gelu" => Activation.Gelu,
            _ => throw new ArgumentException(
                $"'{name}' is not an activation (expected identity, sigmoid, tanh, relu, leaky-relu or gelu).", paramName),
        };

    /// <summary>The spec in the form <see cref="Parse"/> reads, every activation explicit.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(_sizes[0]);
        for (int i = 0; i < _activations.Length; i++)
        {
            text.Append('-').Append(_sizes[i + 1]).Append(':').Append(Name(_activations[i]));
        }

        return text.ToString();
    }

    private static string Name(Activation activation) => activation == Activation.LeakyRelu ? "leaky-relu" : activation.ToString().ToLowerInvariant();
}

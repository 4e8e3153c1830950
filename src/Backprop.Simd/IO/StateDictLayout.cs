using System.Globalization;
using Backprop.Simd.Model;

namespace Backprop.Simd.IO;

/// <summary>
/// Matches tensors named like a PyTorch <c>nn.Sequential</c> state dict (<c>0.weight</c>, <c>0.bias</c>,
/// <c>2.weight</c>, … or <c>net.4.bias</c>) to the dense layers of a spec: names are grouped by the prefix before
/// <c>.weight</c>/<c>.bias</c>, which must end in an integer module index; groups are ordered by that index as a number
/// (so 10 follows 2, and activation modules may leave gaps), and each must hold one weight [out, in] and one bias [out]
/// of the matching layer.
/// </summary>
internal static class StateDictLayout
{
    private const string WeightSuffix = ".weight";
    private const string BiasSuffix = ".bias";
    private const int MaxListed = 5;

    /// <summary>The weight and bias tensor of each layer of <paramref name="spec"/>, in order.</summary>
    /// <exception cref="InvalidDataException">A tensor is unexpected, missing, or has the wrong shape.</exception>
    public static (TensorEntry Weight, TensorEntry Bias)[] Match(IReadOnlyList<TensorEntry> tensors, NetworkSpec spec)
    {
        var modules = new SortedDictionary<int, Module>();
        var unexpected = new List<string>();
        string? stem = null;
        foreach (TensorEntry tensor in tensors)
        {
            if (!TrySplit(tensor.Name, out string prefix, out string moduleStem, out string indexText, out bool isWeight))
            {
                unexpected.Add(ModelFileError.Quote(tensor.Name));
                continue;
            }

            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                throw ModelFileError.Create($"tensor {ModelFileError.Quote(tensor.Name)} has a module index too large to be a layer.");
            }

            stem ??= moduleStem;
            if (moduleStem != stem)
            {
                throw ModelFileError.Create(
                    $"tensor {ModelFileError.Quote(tensor.Name)} belongs to module {ModelFileError.Quote(moduleStem)}, but earlier layers to {ModelFileError.Quote(stem)}; "
                    + "only one nn.Sequential of Linear layers is supported.");
            }

            if (!modules.TryGetValue(index, out Module? module))
            {
                module = new Module(prefix);
                modules.Add(index, module);
            }
            else if (module.Prefix != prefix)
            {
                throw ModelFileError.Create($"modules {ModelFileError.Quote(module.Prefix)} and {ModelFileError.Quote(prefix)} have the same index {index}.");
            }

            if (isWeight)
            {
                module.Weight = tensor;
            }
            else
            {
                module.Bias = tensor;
            }
        }

        if (unexpected.Count > 0)
        {
            throw ModelFileError.Create(
                $"{unexpected.Count} tensor(s) are not the weight or bias of a layer: {List(unexpected)} (expected names like 0.weight, 0.bias, 2.weight).");
        }

        if (modules.Count != spec.LayerCount)
        {
            throw ModelFileError.Create(
                $"the file has {modules.Count} layer(s) ({List(modules.Values.Select(m => ModelFileError.Quote(m.Prefix)).ToList())}), but {spec} has {spec.LayerCount}.");
        }

        var layers = new (TensorEntry Weight, TensorEntry Bias)[spec.LayerCount];
        int l = 0;
        foreach (Module module in modules.Values)
        {
            int inputs = spec.Sizes[l], outputs = spec.Sizes[l + 1];
            TensorEntry weight = module.Weight ?? throw Missing(module.Prefix + WeightSuffix, l, spec);
            TensorEntry bias = module.Bias ?? throw Missing(module.Prefix + BiasSuffix, l, spec);
            CheckShape(weight, [outputs, inputs], l, spec);
            CheckShape(bias, [outputs], l, spec);
            layers[l++] = (weight, bias);
        }

        return layers;
    }

    // "net.4.weight" → prefix "net.4", stem "net.", index "4".
    private static bool TrySplit(string name, out string prefix, out string stem, out string index, out bool isWeight)
    {
        isWeight = name.EndsWith(WeightSuffix, StringComparison.Ordinal);
        bool isBias = !isWeight && name.EndsWith(BiasSuffix, StringComparison.Ordinal);
        prefix = isWeight ? name[..^WeightSuffix.Length] : isBias ? name[..^BiasSuffix.Length] : "";
        int start = prefix.LastIndexOf('.') + 1;
        stem = prefix[..start];
        index = prefix[start..];
        return (isWeight || isBias) && index.Length > 0 && index.All(char.IsAsciiDigit);
    }

    private static void CheckShape(TensorEntry tensor, long[] expected, int layer, NetworkSpec spec)
    {
        if (!tensor.Shape.AsSpan().SequenceEqual(expected))
        {
            throw ModelFileError.Create(
                $"tensor {ModelFileError.Quote(tensor.Name)} has shape {tensor.ShapeText}, but layer {layer} of {spec} needs {TensorEntry.FormatShape(expected)}.");
        }
    }

    private static string List(List<string> items)
        => string.Join(", ", items.Take(MaxListed)) + (items.Count > MaxListed ? $" and {items.Count - MaxListed} more" : "");

    private static InvalidDataException Missing(string name, int layer, NetworkSpec spec)
        => ModelFileError.Create($"tensor {ModelFileError.Quote(name)} (layer {layer} of {spec}) is missing.");

    private sealed class Module(string prefix)
    {
        public string Prefix { get; } = prefix;

        public TensorEntry? Weight { get; set; }

        public TensorEntry? Bias { get; set; }
    }
}

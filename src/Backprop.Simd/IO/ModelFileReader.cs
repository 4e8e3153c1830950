using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Backprop.Simd.Kernels;
using Backprop.Simd.Model;

namespace Backprop.Simd.IO;

/// <summary>
/// Reads a safetensors file into an <see cref="InferenceModel{T}"/>: header checks (<see cref="SafetensorsHeader"/>),
/// the architecture (file metadata and/or <see cref="ModelLoadOptions.Spec"/>), tensor-to-layer matching
/// (<see cref="StateDictLayout"/>), then conversion of the data into one parameter buffer.
/// </summary>
internal static class ModelFileReader
{
    public static InferenceModel<T> Read<T>(ReadOnlySpan<byte> file, ModelLoadOptions options)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        _ = TensorDTypes.Of<T>();
        SafetensorsHeader header = SafetensorsHeader.Parse(file, options.MaxHeaderBytes);
        NetworkSpec spec = ResolveSpec(header.Metadata, options.Spec);
        (TensorEntry Weight, TensorEntry Bias)[] tensors = StateDictLayout.Match(header.Tensors, spec);

        // Sized only now: every tensor matched its layer's shape and lies inside the file, so the count is bounded by it.
        DenseLayer[] layers = spec.CreateLayers();
        var parameters = new T[spec.ParameterCount];
        ReadOnlySpan<byte> data = file[header.DataStart..];
        for (int l = 0; l < layers.Length; l++)
        {
            Copy(data, header.DataStart, tensors[l].Weight, parameters.AsSpan(layers[l].WeightOffset, layers[l].WeightCount), options.AllowNonFinite);
            Copy(data, header.DataStart, tensors[l].Bias, parameters.AsSpan(layers[l].BiasOffset, layers[l].Outputs), options.AllowNonFinite);
        }

        return new InferenceModel<T>(spec, parameters);
    }

    // The file's own spec when it was written by this library; the caller's when given (both must then agree).
    private static NetworkSpec ResolveSpec(IReadOnlyDictionary<string, string> metadata, NetworkSpec? given)
    {
        NetworkSpec? stored = metadata.TryGetValue("format", out string? format) && format == ModelFileWriter.FormatName
            ? StoredSpec(metadata)
            : null;
        if (stored is null)
        {
            return given ?? throw ModelFileError.Create(
                $"the file does not say its architecture (no {SafetensorsHeader.MetadataKey} with format {ModelFileWriter.FormatName}, "
                + "as in a PyTorch state_dict); pass it as ModelLoadOptions.Spec, e.g. NetworkSpec.Parse(\"784-256-128-10\").");
        }

        if (given is null)
        {
            return stored;
        }

        if (!given.Sizes.SequenceEqual(stored.Sizes) || !given.Activations.SequenceEqual(stored.Activations))
        {
            throw ModelFileError.Create($"the file holds a {stored} network, but ModelLoadOptions.Spec is {given}.");
        }

        return given;
    }

    private static NetworkSpec StoredSpec(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("spec", out string? text))
        {
            throw ModelFileError.Create($"{SafetensorsHeader.MetadataKey} says format {ModelFileWriter.FormatName} but has no spec.");
        }

        if (!metadata.TryGetValue("loss", out string? lossName))
        {
            throw ModelFileError.Create($"{SafetensorsHeader.MetadataKey} says format {ModelFileWriter.FormatName} but has no loss.");
        }

        // Names only: Enum.TryParse would also take "1" or "SquaredError, SigmoidCrossEntropy".
        Loss? loss = null;
        foreach (Loss candidate in Enum.GetValues<Loss>())
        {
            if (candidate.ToString() == lossName)
            {
                loss = candidate;
            }
        }

        if (loss is null)
        {
            throw ModelFileError.Create(
                $"the loss in {SafetensorsHeader.MetadataKey}, {ModelFileError.Quote(lossName)}, is not one of {string.Join(", ", Enum.GetNames<Loss>())}.");
        }

        try
        {
            return NetworkSpec.Parse(text, loss: loss.Value);
        }
        catch (ArgumentException e)
        {
            throw ModelFileError.Create($"the spec in {SafetensorsHeader.MetadataKey}, {ModelFileError.Quote(text)}, is not valid: {e.Message}");
        }
    }

    private static void Copy<T>(ReadOnlySpan<byte> data, int dataStart, TensorEntry tensor, Span<T> destination, bool allowNonFinite)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ReadOnlySpan<byte> bytes = data[(int)tensor.Begin..(int)tensor.End];
        int size = TensorDTypes.Size(tensor.DType);
        for (int i = 0; i < destination.Length; i++)
        {
            ReadOnlySpan<byte> element = bytes.Slice(i * size, size);
            double original;
            if (tensor.DType == TensorDType.F32)
            {
                float value = BinaryPrimitives.ReadSingleLittleEndian(element);
                destination[i] = typeof(T) == typeof(float) ? Unsafe.BitCast<float, T>(value) : T.CreateTruncating(value);
                original = value;
            }
            else
            {
                // F64 into float rounds to nearest; a value beyond float's range becomes ±∞ and is caught below.
                double value = BinaryPrimitives.ReadDoubleLittleEndian(element);
                destination[i] = typeof(T) == typeof(double) ? Unsafe.BitCast<double, T>(value) : T.CreateTruncating(value);
                original = value;
            }

            if (!allowNonFinite && !T.IsFinite(destination[i]))
            {
                string text = original.ToString("R", CultureInfo.InvariantCulture);
                string why = double.IsFinite(original) ? $"{text}, beyond the range of {typeof(T).Name}" : text;
                throw ModelFileError.Create(
                    $"tensor {ModelFileError.Quote(tensor.Name)} element {i} (file offset {dataStart + tensor.Begin + ((long)i * size)}) is {why}; "
                    + "set ModelLoadOptions.AllowNonFinite to load non-finite weights.");
            }
        }
    }
}

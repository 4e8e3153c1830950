using System.Numerics;
using Backprop.Simd.Model;

namespace Backprop.Simd.Cli.Data;

/// <summary>
/// Scales each feature to [0, 1] with the minimum and maximum seen in the data it was fitted on (the training
/// set), so the test set is scaled with the same constants. Constant features map to 0.
/// </summary>
public sealed class MinMaxScaler
{
    private readonly float[] _offset;
    private readonly float[] _scale;

    private MinMaxScaler(float[] offset, float[] scale)
    {
        _offset = offset;
        _scale = scale;
    }

    /// <summary>Learns each feature's range from <paramref name="data"/>.</summary>
    public static MinMaxScaler Fit(LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int features = data.FeatureCount;
        var min = new float[features];
        var max = new float[features];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            for (int j = 0; j < features; j++)
            {
                min[j] = Math.Min(min[j], row[j]);
                max[j] = Math.Max(max[j], row[j]);
            }
        }

        var scale = new float[features];
        for (int j = 0; j < features; j++)
        {
            float range = max[j] - min[j];
            scale[j] = range > 0 ? 1f / range : 0f;
            min[j] = float.IsFinite(min[j]) ? min[j] : 0f;
        }

        return new MinMaxScaler(min, scale);
    }

    /// <summary>Scales <paramref name="data"/>'s features in place.</summary>
    public void Transform(LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.FeatureCount != _scale.Length)
        {
            throw new ArgumentException($"data has {data.FeatureCount} features, but the scaler was fitted on {_scale.Length}.", nameof(data));
        }

        Span<float> features = data.Features;
        for (int start = 0; start < features.Length; start += _scale.Length)
        {
            Span<float> row = features.Slice(start, _scale.Length);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, _offset, row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, _scale, row);
        }
    }

    /// <summary>
    /// Folds the scaling into the first dense layer so the model takes raw features: with <c>x' = (x − o)·s</c>,
    /// <c>W·x' + b = (W·diag s)·x + (b − (W·diag s)·o)</c>.
    /// </summary>
    /// <param name="layer">The first layer of the network the parameters belong to.</param>
    /// <param name="parameters">The network's parameter buffer; the first layer's W and b are rewritten.</param>
    public void FoldInto<T>(DenseLayer layer, Span<T> parameters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (layer.Inputs != _scale.Length)
        {
            throw new ArgumentException($"layer takes {layer.Inputs} inputs, but the scaler was fitted on {_scale.Length} features.", nameof(layer));
        }

        Span<T> weights = parameters.Slice(layer.WeightOffset, layer.WeightCount);
        Span<T> biases = parameters.Slice(layer.BiasOffset, layer.Outputs);
        for (int o = 0; o < layer.Outputs; o++)
        {
            Span<T> row = weights.Slice(o * layer.Inputs, layer.Inputs);
            T shift = T.Zero;
            for (int j = 0; j < row.Length; j++)
            {
                row[j] *= T.CreateTruncating(_scale[j]);
                shift += row[j] * T.CreateTruncating(_offset[j]);
            }

            biases[o] -= shift;
        }
    }
}

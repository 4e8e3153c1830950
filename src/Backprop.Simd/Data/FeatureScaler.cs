using System.Numerics;
using System.Numerics.Tensors;
using Backprop.Simd.Model;

namespace Backprop.Simd.Data;

/// <summary>
/// A per-feature affine scaling <c>x' = (x − offset)·scale</c>, fitted on the training set and applied with the
/// same constants to every other set: min-max to [0, 1], or standardization to zero mean and unit variance.
/// A constant feature maps to 0. The scaling can be folded into a network's first layer so a saved model takes
/// raw features.
/// </summary>
public sealed class FeatureScaler
{
    private readonly float[] _offset;
    private readonly float[] _scale;

    private FeatureScaler(float[] offset, float[] scale)
    {
        _offset = offset;
        _scale = scale;
    }

    /// <summary>Features the scaler was fitted on.</summary>
    public int FeatureCount => _scale.Length;

    /// <summary>Scales each feature to [0, 1] with the minimum and maximum seen in <paramref name="data"/>.</summary>
    public static FeatureScaler FitMinMax(LabeledDataset data)
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
            TensorPrimitives.Min(min, row, min);
            TensorPrimitives.Max(max, row, max);
        }

        var scale = new float[features];
        for (int j = 0; j < features; j++)
        {
            float range = max[j] - min[j];
            scale[j] = range > 0 ? 1f / range : 0f;
            min[j] = float.IsFinite(min[j]) ? min[j] : 0f;
        }

        return new FeatureScaler(min, scale);
    }

    /// <summary>Standardizes each feature with the mean and (population) standard deviation of <paramref name="data"/>.</summary>
    public static FeatureScaler FitStandard(LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int features = data.FeatureCount;
        var mean = new double[features];
        var squares = new double[features];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            for (int j = 0; j < features; j++)
            {
                mean[j] += row[j];
                squares[j] += (double)row[j] * row[j];
            }
        }

        var offset = new float[features];
        var scale = new float[features];
        for (int j = 0; j < features; j++)
        {
            double m = data.Count > 0 ? mean[j] / data.Count : 0;
            double variance = data.Count > 0 ? Math.Max(0, (squares[j] / data.Count) - (m * m)) : 0;
            offset[j] = (float)m;
            scale[j] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 0f;
        }

        return new FeatureScaler(offset, scale);
    }

    /// <summary>Scales <paramref name="data"/>'s features in place.</summary>
    /// <exception cref="ArgumentException">The data has another number of features.</exception>
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
            TensorPrimitives.Subtract(row, _offset, row);
            TensorPrimitives.Multiply(row, _scale, row);
        }
    }

    /// <summary>
    /// Folds the scaling into the first dense layer so the model takes raw features: with <c>x' = (x − o)·s</c>,
    /// <c>W·x' + b = (W·diag s)·x + (b − (W·diag s)·o)</c>.
    /// </summary>
    /// <param name="layer">The first layer of the network the parameters belong to.</param>
    /// <param name="parameters">The network's parameter buffer; the first layer's W and b are rewritten.</param>
    /// <exception cref="ArgumentException">The layer takes another number of inputs.</exception>
    public void FoldInto<T>(DenseLayer layer, Span<T> parameters)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (layer.Inputs != _scale.Length)
        {
            throw new ArgumentException($"layer takes {layer.Inputs} inputs, but the scaler was fitted on {_scale.Length} features.", nameof(layer));
        }

        if ((long)layer.BiasOffset + layer.Outputs > parameters.Length)
        {
            throw new ArgumentException(
                $"parameters has length {parameters.Length}, but the layer's weights and biases end at {(long)layer.BiasOffset + layer.Outputs}.", nameof(parameters));
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

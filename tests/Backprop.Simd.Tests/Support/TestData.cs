using System.Numerics;

namespace Backprop.Simd.Tests.Support;

/// <summary>Seeded test data.</summary>
internal static class TestData
{
    public static T[] Uniform<T>(Random random, int length, double min, double max)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating(min + ((max - min) * random.NextDouble()));
        }

        return values;
    }

    /// <summary>A destination full of NaN, so an element the kernel skips (or reads before writing) shows up.</summary>
    public static T[] Nan<T>(int length)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var values = new T[length];
        Array.Fill(values, T.NaN);
        return values;
    }

    public static T[] Abs<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = T.Abs(values[i]);
        }

        return result;
    }

    public static TTo[] Convert<TFrom, TTo>(ReadOnlySpan<TFrom> values)
        where TFrom : unmanaged, IBinaryFloatingPointIeee754<TFrom>
        where TTo : unmanaged, IBinaryFloatingPointIeee754<TTo>
    {
        var result = new TTo[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = TTo.CreateTruncating(values[i]);
        }

        return result;
    }

    /// <summary>Targets suited to <paramref name="loss"/>: one-hot or probability rows for softmax, [0, 1] for
    /// sigmoid cross-entropy, anything for squared error.</summary>
    public static T[] Targets<T>(Random random, Backprop.Simd.Kernels.Loss loss, int batch, int width)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        switch (loss)
        {
            case Backprop.Simd.Kernels.Loss.SoftmaxCrossEntropy:
                var rows = new T[batch * width];
                for (int n = 0; n < batch; n++)
                {
                    Span<T> row = rows.AsSpan(n * width, width);
                    if (random.Next(2) == 0)
                    {
                        row[random.Next(width)] = T.One;
                    }
                    else
                    {
                        double sum = 0;
                        var weights = new double[width];
                        for (int j = 0; j < width; j++)
                        {
                            weights[j] = random.NextDouble() + 1e-3;
                            sum += weights[j];
                        }

                        for (int j = 0; j < width; j++)
                        {
                            row[j] = T.CreateTruncating(weights[j] / sum);
                        }
                    }
                }

                return rows;
            case Backprop.Simd.Kernels.Loss.SigmoidCrossEntropy:
                return Uniform<T>(random, batch * width, 0, 1);
            default:
                return Uniform<T>(random, batch * width, -2, 2);
        }
    }
}

namespace Backprop.Simd.Data;

/// <summary>Samples as one row-major feature matrix [count, features] with an integer class label per sample.</summary>
public sealed class LabeledDataset
{
    /// <summary>Wraps features and labels; labels must be in 0..classes−1.</summary>
    /// <exception cref="ArgumentException">The lengths disagree or a label is out of range.</exception>
    public LabeledDataset(float[] features, int[] labels, int featureCount, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (features.Length != (long)labels.Length * featureCount)
        {
            throw new ArgumentException(
                $"features has length {features.Length}, but {labels.Length} samples × {featureCount} features requires {(long)labels.Length * featureCount}.",
                nameof(features));
        }

        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classCount)
            {
                throw new ArgumentException($"labels contains {label}, outside 0..{classCount - 1}.", nameof(labels));
            }
        }

        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new ArgumentException(
                    $"features[{i}] (sample {i / featureCount}, feature {i % featureCount}) is {features[i]}; every feature must be finite.", nameof(features));
            }
        }

        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    /// <summary>[Count, FeatureCount], row-major.</summary>
    public float[] Features { get; }

    /// <summary>Class of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Features per sample.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureCount, FeatureCount);

    /// <summary>The samples at <paramref name="indices"/>, in that order.</summary>
    /// <exception cref="ArgumentException">An index is outside 0..Count−1.</exception>
    public LabeledDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Count; i++)
        {
            if ((uint)indices[i] >= (uint)Count)
            {
                throw new ArgumentException($"indices[{i}] is {indices[i]}, outside 0..{Count - 1}.", nameof(indices));
            }
        }

        var features = new float[checked(indices.Count * FeatureCount)];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Row(indices[i]).CopyTo(features.AsSpan(i * FeatureCount));
            labels[i] = Labels[indices[i]];
        }

        return new LabeledDataset(features, labels, FeatureCount, ClassCount);
    }

    /// <summary>
    /// A seeded stratified split: each class is shuffled and its first ⌈testFraction·n⌉ samples go to the test set,
    /// so both sets keep the class proportions.
    /// </summary>
    public (LabeledDataset Train, LabeledDataset Test) StratifiedSplit(double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be strictly between 0 and 1.");
        }

        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        for (int c = 0; c < ClassCount; c++)
        {
            int[] members = Enumerable.Range(0, Count).Where(i => Labels[i] == c).ToArray();
            random.Shuffle(members);
            int testCount = (int)Math.Ceiling(testFraction * members.Length);
            test.AddRange(members.AsSpan(0, testCount));
            train.AddRange(members.AsSpan(testCount));
        }

        // Interleave the classes again so neither set is ordered by class.
        int[] trainOrder = [.. train];
        int[] testOrder = [.. test];
        random.Shuffle(trainOrder);
        random.Shuffle(testOrder);
        return (Subset(trainOrder), Subset(testOrder));
    }
}

using System.Numerics;

namespace Backprop.Simd.Model;

/// <summary>
/// The model a service currently serves, replaced atomically: readers take <see cref="Current"/> once per request
/// and always see a whole model, never a half-updated one, while a trainer works on a private
/// <see cref="Network{T}"/> and publishes snapshots of it (<see cref="Publish(Network{T})"/>).
/// </summary>
public sealed class ModelSlot<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private InferenceModel<T> _current;

    /// <summary>A slot serving <paramref name="initial"/>.</summary>
    public ModelSlot(InferenceModel<T> initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The model to serve this request with (an acquire read: its weights are fully visible).</summary>
    public InferenceModel<T> Current => Volatile.Read(ref _current);

    /// <summary>Serves <paramref name="model"/> from now on and returns the model it replaces.</summary>
    /// <exception cref="ArgumentException">The model's input or output size differs from the current one's.</exception>
    public InferenceModel<T> Publish(InferenceModel<T> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        InferenceModel<T> current = Current;
        if (model.InputSize != current.InputSize || model.OutputSize != current.OutputSize)
        {
            throw new ArgumentException(
                $"model maps {model.InputSize} inputs to {model.OutputSize} outputs, but the slot serves {current.InputSize} → {current.OutputSize}.",
                nameof(model));
        }

        return Interlocked.Exchange(ref _current, model);
    }

    /// <summary>Publishes a snapshot of <paramref name="network"/>'s current weights.</summary>
    public InferenceModel<T> Publish(Network<T> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return Publish(network.ToInferenceModel());
    }
}

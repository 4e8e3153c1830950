namespace Backprop.Simd.Model;

/// <summary>
/// The loss came out NaN or infinite. Thrown before any gradient or weight is touched, so the network keeps
/// its last good parameters.
/// </summary>
public sealed class DivergenceException : ArithmeticException
{
    /// <summary>Creates the exception for a non-finite <paramref name="loss"/>.</summary>
    public DivergenceException(double loss)
        : base($"The loss is {loss}, not a finite number: training has diverged or the batch holds NaN/∞. "
            + "The weights and gradients were left unchanged; lower the learning rate or check the inputs.")
    {
        Loss = loss;
    }

    /// <summary>Creates the exception with a message of the caller's (e.g. naming the epoch and step).</summary>
    public DivergenceException(double loss, string message)
        : base(message)
    {
        Loss = loss;
    }

    /// <summary>The non-finite loss.</summary>
    public double Loss { get; }
}

using System.Numerics;
using Backprop.Simd.Kernels;
using Backprop.Simd.Kernels.Simd;
using Backprop.Simd.Optimizers;

namespace Backprop.Simd.Model;

/// <summary>
/// A multilayer perceptron that owns one contiguous parameter buffer, a gradient buffer of the same layout, and a
/// workspace planned once for <see cref="MaxBatch"/> samples. After construction, <see cref="Forward"/>,
/// <see cref="Predict(ReadOnlySpan{T}, Span{T}, int)"/>, <see cref="Backpropagate"/>, both <c>Update</c> overloads and
/// <see cref="TrainStep"/> allocate nothing. Not thread-safe: one network, one caller at a time.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Network<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly DenseLayer[] _layers;
    // Parameters and gradients live in pinned buffers used from their first cache line, so the kernels that stream
    // them (the unpacked products of small batches, the updates) never straddle two lines with one vector load.
    // Misaligned by 16 bytes (stopwatch, both in one process): the W5 step took 19.6 µs instead of 14.3 µs,
    // Predict 784-128-10 7.0 µs instead of 4.1 µs, the W2 step 565 µs instead of 540 µs.
    private readonly AlignedBuffer<T> _parameterBuffer;
    private readonly AlignedBuffer<T> _gradientBuffer;

    // Whether the gradient buffer may hold values (Backpropagate ran, or a caller took a view of it) since the last
    // Update or ClearGradients: TrainStep then cannot fuse the SGD step into the backward pass.
    private bool _gradientsPending;

    // The forward pass's Z and A per layer (see WorkspacePlan), then two ping-pong buffers for ∂E/∂A of the layer
    // being differentiated, each [MaxBatch, widest layer].
    private readonly WorkspacePlan _plan;
    private readonly T[] _workspace;
    private readonly int _deltaLength;

    /// <summary>Builds the network and initializes it with <see cref="Initialize"/>.</summary>
    /// <param name="spec">The architecture.</param>
    /// <param name="maxBatch">The largest batch a single call may pass; the workspace is sized for it.</param>
    /// <param name="seed">Seed of the weight initialization.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> is not positive.</exception>
    public Network(NetworkSpec spec, int maxBatch, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        Spec = spec;
        MaxBatch = maxBatch;
        _layers = spec.CreateLayers();
        _plan = new WorkspacePlan(_layers, maxBatch, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), training: true);
        _deltaLength = checked(maxBatch * spec.Sizes.Skip(1).Max());
        _parameterBuffer = new AlignedBuffer<T>(spec.ParameterCount);
        _gradientBuffer = new AlignedBuffer<T>(spec.ParameterCount);
        // Pinned (never moved by the GC), so the packed GEMM's panels keep the cache-line alignment it gives them.
        _workspace = GC.AllocateArray<T>(checked(_plan.Length + (2 * _deltaLength)), pinned: true);
        Initialize(seed);
    }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The largest batch one call may pass.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// Threads that share this network's large products (forward and backward GEMMs of at least ~16M multiply-adds and
    /// two panels of output columns: 128 floats, 64 doubles), or null (the default) to run every call on the calling
    /// thread alone. Results are bit for bit the same either way. Set-up only: not while a call runs. A call given
    /// disposed workers throws <see cref="ObjectDisposedException"/> before it changes anything.
    /// </summary>
    public GemmWorkers? Workers { get; set; }

    /// <summary>Features per sample.</summary>
    public int InputSize => Spec.InputSize;

    /// <summary>Outputs per sample (logits when the loss is a cross-entropy).</summary>
    public int OutputSize => Spec.OutputSize;

    /// <summary>The layers, in order, with their offsets into <see cref="Parameters"/>.</summary>
    public ReadOnlySpan<DenseLayer> Layers => _layers;

    /// <summary>Every weight and bias, layer after layer (W then b), in one buffer.</summary>
    public Span<T> Parameters => _parameterBuffer.Span;

    private Span<T> GradientBuffer => _gradientBuffer.Span;

    /// <summary>
    /// ∂E/∂parameters, accumulated by <see cref="Backpropagate"/>, in the layout of <see cref="Parameters"/>. Taking this
    /// view (or <see cref="WeightGradients"/>, <see cref="BiasGradients"/>) marks the gradients pending, so the next
    /// <see cref="TrainStep"/> applies whatever they hold; write through a view taken since the last update, not one
    /// kept from before it (a fused step neither reads nor clears the buffer).
    /// </summary>
    public Span<T> Gradients => GradientView(GradientBuffer);

    /// <summary>W of layer <paramref name="layer"/>, [outputs, inputs] row-major.</summary>
    public Span<T> Weights(int layer) => Parameters.Slice(Layer(layer).WeightOffset, _layers[layer].WeightCount);

    /// <summary>b of layer <paramref name="layer"/>.</summary>
    public Span<T> Biases(int layer) => Parameters.Slice(Layer(layer).BiasOffset, _layers[layer].Outputs);

    /// <summary>∂E/∂W of layer <paramref name="layer"/>.</summary>
    public Span<T> WeightGradients(int layer) => GradientView(GradientBuffer.Slice(Layer(layer).WeightOffset, _layers[layer].WeightCount));

    /// <summary>∂E/∂b of layer <paramref name="layer"/>.</summary>
    public Span<T> BiasGradients(int layer) => GradientView(GradientBuffer.Slice(Layer(layer).BiasOffset, _layers[layer].Outputs));

    /// <summary>
    /// Seeded initialization: biases zero; weights uniform in ±√(6/(inputs + outputs)) (Glorot) before identity,
    /// sigmoid and tanh, ±√(6/inputs) (He) before the ReLU family and GELU. Clears the gradients.
    /// </summary>
    public void Initialize(int seed)
    {
        var random = new Random(seed);
        foreach (DenseLayer layer in _layers)
        {
            double limit = layer.Activation is Activation.Relu or Activation.LeakyRelu or Activation.Gelu
                ? Math.Sqrt(6.0 / layer.Inputs)
                : Math.Sqrt(6.0 / (layer.Inputs + layer.Outputs));
            Span<T> weights = Parameters.Slice(layer.WeightOffset, layer.WeightCount);
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = T.CreateTruncating(((2 * random.NextDouble()) - 1) * limit);
            }

            Parameters.Slice(layer.BiasOffset, layer.Outputs).Clear();
        }

        ClearGradients();
    }

    /// <summary>An immutable snapshot of the current weights, for serving from many threads.</summary>
    public InferenceModel<T> ToInferenceModel() => new(Spec, Parameters);

    /// <summary>Sets every gradient to zero.</summary>
    public void ClearGradients()
    {
        GradientBuffer.Clear();
        _gradientsPending = false;
    }

    /// <summary>
    /// The forward pass over <paramref name="batch"/> samples. Returns the outputs, [batch, OutputSize], as a view of
    /// the workspace that the next call overwrites.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is out of 1..MaxBatch, or inputs is not batch × InputSize long.</exception>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> inputs, int batch)
    {
        ValidateBatch(batch);
        Guard.Length(inputs.Length, batch, InputSize, nameof(inputs), "batch × InputSize");
        return ForwardCore(inputs, batch);
    }

    /// <summary>Outputs for a batch of any size (processed in chunks of <see cref="MaxBatch"/>).</summary>
    /// <param name="inputs">[batch, InputSize].</param>
    /// <param name="outputs">[batch, OutputSize] destination: logits for a cross-entropy network.</param>
    /// <param name="batch">Samples; may exceed <see cref="MaxBatch"/>.</param>
    /// <exception cref="ArgumentException">A length disagrees with the batch.</exception>
    public void Predict(ReadOnlySpan<T> inputs, Span<T> outputs, int batch)
    {
        Guard.Positive(batch, nameof(batch));
        Guard.Length(inputs.Length, batch, InputSize, nameof(inputs), "batch × InputSize");
        Guard.Length(outputs.Length, batch, OutputSize, nameof(outputs), "batch × OutputSize");
        for (int start = 0; start < batch; start += MaxBatch)
        {
            int count = Math.Min(MaxBatch, batch - start);
            ForwardCore(inputs.Slice(start * InputSize, count * InputSize), count)
                .CopyTo(outputs.Slice(start * OutputSize, count * OutputSize));
        }
    }

    /// <summary>Outputs for one sample.</summary>
    /// <exception cref="ArgumentException">input is not InputSize long, or output not OutputSize long.</exception>
    public void Predict(ReadOnlySpan<T> input, Span<T> output)
    {
        Guard.Length(input.Length, InputSize, nameof(input), "InputSize");
        Guard.Length(output.Length, OutputSize, nameof(output), "OutputSize");
        ForwardCore(input, 1).CopyTo(output);
    }

    /// <summary>The loss on a batch, without touching the gradients (NaN or ∞ is returned as is).</summary>
    /// <exception cref="ArgumentException">A length disagrees with the batch, or the batch is out of 1..MaxBatch.</exception>
    public T Evaluate(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch)
    {
        ValidateStep(inputs, targets, batch);
        ReadOnlySpan<T> outputs = ForwardCore(inputs, batch);
        return LossKernels.Compute(Spec.Loss, outputs, targets, Delta(0, batch * OutputSize), batch);
    }

    /// <summary>
    /// Forward, loss and backward: adds ∂E/∂parameters to <see cref="Gradients"/> (so batches can be accumulated;
    /// <c>Update</c> clears them) and, if <paramref name="inputGradients"/> is not empty, writes ∂E/∂inputs.
    /// </summary>
    /// <returns>The loss E, averaged over the batch.</returns>
    /// <exception cref="ArgumentException">A length disagrees with the batch, or the batch is out of 1..MaxBatch.</exception>
    /// <exception cref="DivergenceException">The loss is NaN or infinite; no gradient was touched.</exception>
    public T Backpropagate(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch, Span<T> inputGradients = default)
    {
        Workers?.ThrowIfDisposed();
        ValidateStep(inputs, targets, batch);
        if (!inputGradients.IsEmpty)
        {
            Guard.Length(inputGradients.Length, batch, InputSize, nameof(inputGradients), "batch × InputSize");
        }

        _gradientsPending = true;
        return BackwardPass(inputs, targets, batch, inputGradients, fusedLearningRate: T.Zero);
    }

    /// <summary>
    /// Gradient descent on every parameter, <c>W −= learningRate·∂E/∂W</c>, in one fused pass that also clears the
    /// gradients for the next step.
    /// </summary>
    public void Update(T learningRate)
    {
        UpdateKernels.SgdUpdate<T>(Parameters, GradientBuffer, learningRate, clearGradients: true);
        _gradientsPending = false;
    }

    /// <summary>
    /// One step of <paramref name="optimizer"/> on every parameter: a fused pass over the contiguous parameter and
    /// gradient buffers that updates the weights and the optimizer's state and clears the gradients.
    /// </summary>
    /// <param name="optimizer">An optimizer constructed for <see cref="NetworkSpec.ParameterCount"/> parameters.</param>
    /// <param name="learningRate">lr for this step (from a schedule, for instance).</param>
    /// <returns>The first-order predicted decrease of the loss, <c>−Σ g·Δw</c>.</returns>
    /// <exception cref="ArgumentException">The optimizer was built for a different parameter count.</exception>
    /// <exception cref="ArithmeticException">The optimizer clips and the gradient norm is not finite; nothing changed.</exception>
    public T Update(Optimizer<T> optimizer, T learningRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Guard.Length(optimizer.ParameterCount, Parameters.Length, nameof(optimizer), "the network's parameter count");
        T decrease = optimizer.Step(Parameters, GradientBuffer, learningRate, clearGradients: true);
        _gradientsPending = false;
        return decrease;
    }

    /// <summary>
    /// One step of stochastic gradient descent on a batch: the result of <see cref="Backpropagate"/> then
    /// <see cref="Update(T)"/>, to rounding. When no gradients are pending (nothing accumulated since the last update),
    /// the step is fused into the backward pass: <c>W −= μ·dYᵀ·X</c> is applied in the weight-gradient product's store
    /// and the gradient buffer is neither written nor read — one pass over the weights instead of three.
    /// </summary>
    /// <returns>The loss before the step.</returns>
    /// <exception cref="ArgumentException">A length disagrees with the batch, or the batch is out of 1..MaxBatch.</exception>
    /// <exception cref="DivergenceException">The loss is NaN or infinite; the weights were left unchanged.</exception>
    public T TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch, T learningRate)
    {
        Workers?.ThrowIfDisposed();
        if (_gradientsPending || learningRate == T.Zero || !T.IsFinite(learningRate))
        {
            LastStepFused = false;
            T loss = Backpropagate(inputs, targets, batch);
            Update(learningRate);
            return loss;
        }

        ValidateStep(inputs, targets, batch);
        LastStepFused = true;
        return BackwardPass(inputs, targets, batch, default, learningRate);
    }

    /// <summary>Whether the last <see cref="TrainStep"/> ran fused (tests check that the fused path really ran).</summary>
    internal bool LastStepFused { get; private set; }

    /// <summary>
    /// Forward, loss and backward. With <paramref name="fusedLearningRate"/> zero, adds ∂E/∂parameters to the gradient
    /// buffer; otherwise applies the SGD step straight to the parameters (W += −μ·dYᵀ·X in the product's store,
    /// b += −μ·Σ dY in the activation pass), each layer's ∂E/∂X computed from its W before W changes.
    /// </summary>
    private T BackwardPass(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch, Span<T> inputGradients, T fusedLearningRate)
    {
        bool fused = fusedLearningRate != T.Zero;
        T scale = fused ? -fusedLearningRate : T.One;
        Span<T> destination = fused ? Parameters : GradientBuffer;
        ReadOnlySpan<T> outputs = ForwardCore(inputs, batch);
        int current = 0;
        T loss = LossKernels.Compute(Spec.Loss, outputs, targets, Delta(current, batch * OutputSize), batch);
        if (!T.IsFinite(loss))
        {
            throw new DivergenceException(double.CreateTruncating(loss));
        }

        Span<T> pack = _plan.Pack<T>(_workspace);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            DenseLayer layer = _layers[l];
            int n = batch * layer.Outputs;

            // ∂E/∂Z = ∂E/∂A ⊙ f'(Z), in place in the delta buffer, with db += scale·Σ_n ∂E/∂Z in the same pass.
            Span<T> delta = Delta(current, n);
            ActivationKernels.BackwardWithBias<T>(
                layer.Activation,
                delta,
                delta,
                _workspace.AsSpan(_plan.PreActivationOffset(l), n),
                _workspace.AsSpan(_plan.ActivationOffset(l), n),
                destination.Slice(layer.BiasOffset, layer.Outputs),
                batch,
                scale);

            // dX = dY·W (not for the first layer unless the caller asked for ∂E/∂inputs), while W is unchanged.
            Span<T> next = l > 0 ? Delta(1 - current, batch * layer.Inputs) : inputGradients;
            if (!next.IsEmpty)
            {
                DenseKernels.BackwardDataCore<T>(
                    next, delta, Parameters.Slice(layer.WeightOffset, layer.WeightCount), batch, layer.Inputs, layer.Outputs, pack, Workers);
            }

            // dW += scale·dYᵀ·X: into the gradients, or (fused) into W itself.
            ReadOnlySpan<T> layerInputs = l == 0 ? inputs : _workspace.AsSpan(_plan.ActivationOffset(l - 1), batch * layer.Inputs);
            DenseKernels.BackwardWeightsCore<T>(
                destination.Slice(layer.WeightOffset, layer.WeightCount), delta, layerInputs, batch, layer.Inputs, layer.Outputs, pack, scale, Workers);
            current = 1 - current;
        }

        return loss;
    }

    private Span<T> GradientView(Span<T> gradients)
    {
        _gradientsPending = true;
        return gradients;
    }

    private ReadOnlySpan<T> ForwardCore(ReadOnlySpan<T> inputs, int batch)
    {
        Workers?.ThrowIfDisposed();
        return ForwardPass.Run<T>(_layers, Parameters, _plan, _workspace, inputs, batch, workers: Workers);
    }

    private Span<T> Delta(int which, int length) => _workspace.AsSpan(_plan.Length + (which * _deltaLength), length);

    private DenseLayer Layer(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, _layers.Length);
        return _layers[layer];
    }

    private void ValidateBatch(int batch)
    {
        if (batch <= 0 || batch > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in 1..{MaxBatch} (the network's MaxBatch); it is {batch}.");
        }
    }

    private void ValidateStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int batch)
    {
        ValidateBatch(batch);
        Guard.Length(inputs.Length, batch, InputSize, nameof(inputs), "batch × InputSize");
        Guard.Length(targets.Length, batch, OutputSize, nameof(targets), "batch × OutputSize");
    }
}

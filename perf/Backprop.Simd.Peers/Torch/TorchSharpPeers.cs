using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Backprop.Simd.Peers.Torch;

/// <summary>
/// TorchSharp-cpu (libtorch) as a PyTorch user writes it: <c>nn.Sequential</c> of <c>nn.Linear</c> and <c>nn.ReLU</c>,
/// inference under <c>no_grad</c>, training with <c>CrossEntropyLoss</c> and <c>torch.optim.SGD</c>, a dispose scope
/// per call, one thread. Inputs are tensors built once (the peer owns its input buffer, as every peer here does).
/// </summary>
internal sealed class TorchSharpMlp : IDisposable
{
    private readonly Sequential _model;
    private readonly Linear[] _linears;
    private readonly Tensor _inputs;
    private readonly Tensor? _labels;
    private readonly Loss<Tensor, Tensor, Tensor> _loss = nn.CrossEntropyLoss();
    private readonly optim.Optimizer? _optimizer;

    /// <param name="layers">Weights copied into the model's <c>nn.Linear</c>s.</param>
    /// <param name="inputs">[batch, inputs], copied into a tensor once.</param>
    /// <param name="batch">Samples per call.</param>
    /// <param name="targets">One-hot [batch, classes] for training (turned into class indices), or empty for inference.</param>
    /// <param name="learningRate">SGD's lr, when training.</param>
    public TorchSharpMlp(PeerLayer[] layers, ReadOnlySpan<float> inputs, int batch, ReadOnlySpan<float> targets = default, float learningRate = 0f)
    {
        TorchSharpPeer.Initialize();
        _linears = new Linear[layers.Length];
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int l = 0; l < layers.Length; l++)
        {
            _linears[l] = TorchSharpPeer.Linear(layers[l].Inputs, layers[l].Outputs, layers[l].Weights, layers[l].Biases);
            modules.Add(($"{2 * l}", _linears[l]));
            if (layers[l].Relu)
            {
                modules.Add(($"{(2 * l) + 1}", nn.ReLU()));
            }
        }

        _model = nn.Sequential(modules);
        _inputs = torch.tensor(inputs.ToArray(), [batch, layers[0].Inputs]);
        if (!targets.IsEmpty)
        {
            int classes = layers[^1].Outputs;
            var labels = new long[batch];
            for (int row = 0; row < batch; row++)
            {
                labels[row] = targets.Slice(row * classes, classes).IndexOf(1f);
            }

            _labels = torch.tensor(labels, [batch]);
            _optimizer = optim.SGD(_model.parameters(), learningRate);
        }
    }

    /// <summary>The forward pass under no_grad, copied into <paramref name="outputs"/> ([batch, outputs]).</summary>
    public void Predict(Span<float> outputs)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _model.forward(_inputs).data<float>().CopyTo(outputs);
    }

    /// <summary>zero_grad, forward, CrossEntropyLoss (mean), backward, SGD step.</summary>
    /// <returns>The loss before the step.</returns>
    public float TrainStep()
    {
        using var scope = torch.NewDisposeScope();
        _optimizer!.zero_grad();
        Tensor loss = _loss.forward(_model.forward(_inputs), _labels!);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>The current W and b of layer <paramref name="layer"/>.</summary>
    public (float[] Weights, float[] Biases) Parameters(int layer)
        => (_linears[layer].weight!.data<float>().ToArray(), _linears[layer].bias!.data<float>().ToArray());

    public void Dispose()
    {
        _optimizer?.Dispose();
        _labels?.Dispose();
        _inputs.Dispose();
        _loss.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// One <c>nn.Linear</c> layer (W3) or, without bias, the GEMM <c>C = A·Bᵀ</c> (W7, <c>F.linear(A, B)</c>), on tensors
/// built once. Forward runs under no_grad; forward + backward runs autograd from a leaf input that requires grad,
/// <c>y.backward(dY)</c>, giving dX, dW and db (the module's gradients are cleared first with <c>zero_grad</c>).
/// </summary>
internal sealed class TorchSharpDense : IDisposable
{
    private readonly Linear _linear;
    private readonly Tensor _x;
    private readonly Tensor? _dy;

    /// <param name="w">[outputs, inputs].</param>
    /// <param name="b">[outputs], or empty for no bias.</param>
    /// <param name="x">[batch, inputs].</param>
    /// <param name="dy">[batch, outputs] upstream gradient for <see cref="ForwardBackward"/>, or empty.</param>
    public TorchSharpDense(float[] w, float[] b, float[] x, float[] dy, int batch, int inputs, int outputs)
    {
        TorchSharpPeer.Initialize();
        _linear = TorchSharpPeer.Linear(inputs, outputs, w, b);
        _x = torch.tensor(x, [batch, inputs]);
        _dy = dy.Length > 0 ? torch.tensor(dy, [batch, outputs]) : null;
    }

    /// <summary><c>Y = X·Wᵀ + b</c> under no_grad; the result is disposed with the scope.</summary>
    public void Forward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _linear.forward(_x);
    }

    /// <summary>Forward, then backward from dY.</summary>
    public void ForwardBackward()
    {
        using var scope = torch.NewDisposeScope();
        ForwardBackwardCore();
    }

    /// <summary>Y, for the correctness check.</summary>
    public float[] ForwardResult()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return _linear.forward(_x).data<float>().ToArray();
    }

    /// <summary>dX, dW and db after one forward + backward, for the correctness check.</summary>
    public (float[] Dx, float[] Dw, float[] Db) ForwardBackwardResult()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = ForwardBackwardCore();
        return (x.grad!.data<float>().ToArray(), _linear.weight!.grad!.data<float>().ToArray(), _linear.bias!.grad!.data<float>().ToArray());
    }

    public void Dispose()
    {
        _dy?.Dispose();
        _x.Dispose();
        _linear.Dispose();
    }

    private Tensor ForwardBackwardCore()
    {
        _linear.zero_grad();
        Tensor x = _x.detach().requires_grad_(true);
        _linear.forward(x).backward([_dy!]);
        return x;
    }
}

/// <summary>What every TorchSharp peer shares: one thread, weights copied into <c>nn.Linear</c>.</summary>
internal static class TorchSharpPeer
{
    private static readonly Lazy<bool> s_initialized = new(() =>
    {
        torch.set_num_threads(1);
        return true;
    });

    /// <summary>Loads libtorch and sets it to one thread.</summary>
    public static void Initialize() => _ = s_initialized.Value;

    /// <summary>An <c>nn.Linear(inputs, outputs)</c> holding copies of <paramref name="w"/> and <paramref name="b"/> (no bias if b is empty).</summary>
    public static Linear Linear(int inputs, int outputs, float[] w, float[] b)
    {
        var linear = nn.Linear(inputs, outputs, hasBias: b.Length > 0);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        linear.weight!.copy_(torch.tensor(w, [outputs, inputs]));
        if (b.Length > 0)
        {
            linear.bias!.copy_(torch.tensor(b, [outputs]));
        }

        return linear;
    }
}

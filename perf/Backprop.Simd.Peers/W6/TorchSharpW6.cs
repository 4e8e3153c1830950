using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Backprop.Simd.Peers;

/// <summary>
/// TorchSharp-cpu (libtorch) on the W6 recipe, written as a PyTorch user would: nn.Sequential of Linear and ReLU,
/// CrossEntropyLoss, torch.optim.Adam, one thread, a dispose scope per step, the batch gathered with index_select
/// from tensors built once.
/// </summary>
internal static class TorchSharpW6
{
    public static W6Result Train(W6Data data, int epochs, int seed)
    {
        const int Batch = 64;
        torch.set_num_threads(1);
        torch.manual_seed(seed);
        var model = nn.Sequential(
            ("0", nn.Linear(784, 256)),
            ("1", nn.ReLU()),
            ("2", nn.Linear(256, 128)),
            ("3", nn.ReLU()),
            ("4", nn.Linear(128, 10)));
        var optimizer = torch.optim.Adam(model.parameters(), lr: 0.001);
        var lossFunction = nn.CrossEntropyLoss();
        using Tensor inputs = torch.tensor(data.Train.Features, [data.Train.Count, 784]);
        using Tensor labels = torch.tensor(data.Train.Labels.Select(l => (long)l).ToArray(), [data.Train.Count]);
        int[][] orders = data.Orders(epochs);

        var stopwatch = Stopwatch.StartNew();
        foreach (int[] order in orders)
        {
            long[] indices = [.. order.Select(i => (long)i)];
            for (int first = 0; first < order.Length; first += Batch)
            {
                using var scope = torch.NewDisposeScope();
                int count = Math.Min(Batch, order.Length - first);
                Tensor index = torch.tensor(indices.AsSpan(first, count).ToArray(), [count]);
                optimizer.zero_grad();
                Tensor loss = lossFunction.forward(model.forward(inputs.index_select(0, index)), labels.index_select(0, index));
                loss.backward();
                optimizer.step();
            }
        }

        double seconds = stopwatch.Elapsed.TotalSeconds;
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            Tensor test = torch.tensor(data.Test.Features, [data.Test.Count, 784]);
            Tensor predicted = model.forward(test).argmax(1);
            Tensor expected = torch.tensor(data.Test.Labels.Select(l => (long)l).ToArray(), [data.Test.Count]);
            double accuracy = predicted.eq(expected).to_type(ScalarType.Float32).mean().item<float>();
            return new W6Result(seconds, accuracy);
        }
    }
}

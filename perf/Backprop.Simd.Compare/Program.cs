using Backprop.Simd.Compare;

return CompareCommand.Run(args, Console.Out, Console.Error);

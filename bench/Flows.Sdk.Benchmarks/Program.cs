using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- --filter '*'   (BenchmarkDotNet's own switches)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

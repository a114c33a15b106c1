using BenchmarkDotNet.Running;
using Flows.Benchmarks;

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- --filter '*'   (BenchmarkDotNet's own switches)
// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- memory when-all|map-16 [tasks]   (peak and retained memory)
if (args is ["memory", var scenario, ..])
{
    return await MemoryProbe.RunAsync(scenario, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
}

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- quick   (plain vs Polly vs [Task], under a minute)
// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- alloc <variant 0-7> solo|flow   (what a quick variant allocates, by type)
if (args is ["alloc", var v, var f])
{
    return await AllocProbe.RunAsync(int.Parse(v, System.Globalization.CultureInfo.InvariantCulture), f == "flow");
}

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- spin <variant 0-7> solo|flow [rounds]   (one quick variant's rounds, for perf)
if (args is ["spin", var sv, var sf, ..])
{
    return await QuickComparison.SpinAsync(int.Parse(sv, System.Globalization.CultureInfo.InvariantCulture), sf == "flow", args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 200);
}

// The quick comparison's own child processes, one per variant: quick-variant <variant 0-7> solo|flow
if (args is [VariantProcess.Command, var qv, var qf])
{
    return await QuickComparison.ServeVariantAsync(int.Parse(qv, System.Globalization.CultureInfo.InvariantCulture), qf == "flow");
}

if (args is [QuickComparison.Command])
{
    return await QuickComparison.RunAsync();
}

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- store-throughput [--task-runs N] [--postgres "Host=..."]
if (args.Length > 0 && args[0] == StoreThroughput.Command)
{
    return await StoreThroughput.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Benchmarks -- history [--runs N] [--postgres "Host=..."]   (flows runs over 1,000,000 runs)
if (args is [HistoryListing.Command, ..])
{
    return await HistoryListing.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

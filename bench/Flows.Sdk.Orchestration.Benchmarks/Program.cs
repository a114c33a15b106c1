using Flows.Orchestration.Benchmarks;

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- dst-year [--year 2026]
if (args.Length > 0 && args[0] == DstYear.Command)
{
    return await DstYear.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- misfire-jump
if (args.Length > 0 && args[0] == MisfireJump.Command)
{
    return await MisfireJump.RunAsync();
}

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- sqlite-writers [--seconds 15] [--triggers 200] [--batch 100]
if (args.Length > 0 && args[0] == SqliteWriters.Command)
{
    return await SqliteWriters.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- slot-latency [--slots 60] [--postgres "Host=..."]
if (args.Length > 0 && args[0] == SlotLatency.Command)
{
    return await SlotLatency.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- many-deployments [--deployments 1000] [--postgres "Host=..."]
if (args.Length > 0 && args[0] == ManyDeployments.Command)
{
    return await ManyDeployments.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- queue-latency [--runs 100] [--postgres "Host=..."]
// dotnet run -c Release --project bench/Flows.Sdk.Orchestration.Benchmarks -- queue-throughput [--runs 1000] [--postgres "Host=..."]
if (args.Length > 0 && args[0] is QueueLatency.Command or QueueLatency.ThroughputCommand)
{
    return await QueueLatency.RunAsync(args);
}

Console.Error.WriteLine($"usage: <mode> [options], mode one of: {DstYear.Command}, {MisfireJump.Command}, {SqliteWriters.Command}, {SlotLatency.Command}, {ManyDeployments.Command}, {QueueLatency.Command}, {QueueLatency.ThroughputCommand}");
return 2;

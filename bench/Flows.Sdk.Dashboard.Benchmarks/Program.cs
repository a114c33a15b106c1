using Flows.Dashboard.Benchmarks;

// dotnet run -c Release --project bench/Flows.Sdk.Dashboard.Benchmarks -- runs-page [--runs 1000000] [--requests 60] [--warm-up 20] [--db /tmp/flows-bench-1m.db] [--postgres "Host=..."]
if (args.Length > 0 && args[0] == RunsPageLatency.Command)
{
    return await RunsPageLatency.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Dashboard.Benchmarks -- store-load [--pages 20] [--seconds 30] [--db /tmp/flows-bench-1m.db]
if (args.Length > 0 && args[0] == StoreLoad.Command)
{
    return await StoreLoad.RunAsync(args);
}

// dotnet run -c Release --project bench/Flows.Sdk.Dashboard.Benchmarks -- screenshots [--out docs/images] [--chromium /usr/bin/chromium]
if (args.Length > 0 && args[0] == Screenshots.Command)
{
    return await Screenshots.RunAsync(args);
}

Console.Error.WriteLine($"usage: <mode> [options], mode one of: {RunsPageLatency.Command}, {StoreLoad.Command}, {Screenshots.Command}");
return 2;

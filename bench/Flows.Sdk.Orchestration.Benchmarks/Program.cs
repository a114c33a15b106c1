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

Console.Error.WriteLine($"usage: <mode> [options], mode one of: {DstYear.Command}, {MisfireJump.Command}");
return 2;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flows;

namespace Flows.Benchmarks;

/// <summary>
/// <c>Flow.Map</c> over 10,000 items at several concurrency levels, each item a task run that yields once (as a task
/// doing I/O would). Runs are counted, not kept (<see cref="CountingRunStore"/>).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class MapBenchmarks : EngineBenchmarks
{
    [Params(1, 4, 16, 64)]
    public int Concurrency { get; set; }

    protected override FlowEngineOptions Options => new() { Store = new CountingRunStore() };

    [Benchmark]
    public Task<int> Map() => ManyTasks.MapAt(10_000, Concurrency);
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flows;

namespace Flows.Benchmarks;

/// <summary>
/// One flow fanning out to 100,000 task runs, with <c>Task.WhenAll</c> (all started at once) and with
/// <c>Flow.Map(…, 16)</c> (16 in flight). Allocated / 100,000 is the cost per task run. Runs are counted, not kept
/// (<see cref="CountingRunStore"/>). Peak and retained memory: see <see cref="MemoryProbe"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class ManyTasksBenchmarks : EngineBenchmarks
{
    [Params(100_000)]
    public int Tasks { get; set; }

    protected override FlowEngineOptions Options => new() { Store = new CountingRunStore() };

    [Benchmark(Baseline = true)]
    public Task<int> WhenAll() => ManyTasks.WhenAll(Tasks);

    [Benchmark]
    public Task<int> Map16() => ManyTasks.Map16(Tasks);
}

/// <summary>The flows measured: each task run yields once, as a task doing I/O would.</summary>
public static class ManyTasks
{
    [Task("bench-add-one")]
    public static async Task<int> AddOne(int x)
    {
        await Task.Yield();
        return x + 1;
    }

    [Flow("bench-when-all")]
    public static async Task<int> WhenAll(int tasks)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, tasks).Select(i => AddOne(i)));
        return results.Length;
    }

    [Flow("bench-map-16")]
    public static async Task<int> Map16(int tasks)
    {
        var results = await Flow.Map(Enumerable.Range(0, tasks), i => AddOne(i), 16);
        return results.Length;
    }

    [Flow("bench-map-at")]
    public static async Task<int> MapAt(int tasks, int concurrency)
    {
        var results = await Flow.Map(Enumerable.Range(0, tasks), i => AddOne(i), concurrency);
        return results.Length;
    }
}

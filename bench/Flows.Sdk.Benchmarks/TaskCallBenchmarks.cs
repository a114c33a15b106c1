using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Flows;

namespace Flows.Benchmarks;

/// <summary>
/// One task call against the same plain call and the same call in a Polly retry + timeout pipeline, sync and async,
/// standalone (the methods and pipeline of <see cref="QuickComparison"/>). The in-memory store keeps every run, so
/// each iteration of <see cref="CallsPerIteration"/> calls starts on a fresh engine and store: memory stays bounded
/// and the figures include the cost of keeping the runs, as in the quick mode.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 15, invocationCount: CallsPerIteration)]
public class TaskCallBenchmarks : FreshEngineBenchmarks
{
    private const int CallsPerIteration = 100_000;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sync")]
    public int Plain() => QuickWork.Plain(21);

    [Benchmark]
    [BenchmarkCategory("sync")]
    public int PollyRetryTimeout() => QuickVariants.All[1].Sync!(21);

    [Benchmark]
    [BenchmarkCategory("sync")]
    public int TaskBare() => QuickWork.Bare(21);

    [Benchmark]
    [BenchmarkCategory("sync")]
    public int TaskRetryTimeout() => QuickWork.RetryTimeout(21, default);

    [Benchmark]
    [BenchmarkCategory("async")]
    public Task<int> PlainAsync() => QuickWork.PlainAsync(21);

    [Benchmark]
    [BenchmarkCategory("async")]
    public ValueTask<int> PollyRetryTimeoutAsync() => QuickVariants.All[5].Async!(21);

    [Benchmark]
    [BenchmarkCategory("async")]
    public Task<int> TaskBareAsync() => QuickWork.BareAsync(21);

    [Benchmark]
    [BenchmarkCategory("async")]
    public Task<int> TaskRetryTimeoutAsync() => QuickWork.RetryTimeoutAsync(21, default);
}

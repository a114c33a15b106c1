using BenchmarkDotNet.Attributes;
using Flows;

namespace Flows.Benchmarks;

/// <summary>The cost of one task call inside a flow against the same plain method call.</summary>
[MemoryDiagnoser]
public class TaskCallBenchmarks : EngineBenchmarks
{
    [Benchmark(Baseline = true)]
    public int PlainCall() => Calls.Plain(21);

    [Benchmark]
    public int TaskCall() => Calls.Doubled(21);
}

/// <summary>The methods measured: identical bodies, one a task.</summary>
public static class Calls
{
    public static int Plain(int x) => x * 2;

    [Task("bench-doubled")]
    public static int Doubled(int x) => x * 2;
}

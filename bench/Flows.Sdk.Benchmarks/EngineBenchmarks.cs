using BenchmarkDotNet.Attributes;
using Flows;

namespace Flows.Benchmarks;

/// <summary>A suite whose benchmarks run on one engine, in scope for the whole run.</summary>
public abstract class EngineBenchmarks
{
    private FlowEngine _engine = null!;
    private IDisposable _scope = null!;

    /// <summary>The engine's options; the default engine keeps runs in memory.</summary>
    protected virtual FlowEngineOptions Options => new();

    [GlobalSetup]
    public void Setup()
    {
        _engine = new FlowEngine(Options);
        _scope = _engine.Use();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _scope.Dispose();
        _engine.Dispose();
    }
}

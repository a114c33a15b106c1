using BenchmarkDotNet.Attributes;
using Flows;
using Flows.Stores;

namespace Flows.Benchmarks;

/// <summary>
/// A suite whose every iteration runs on a fresh engine, made the default so every call finds it. With the
/// in-memory store, which keeps every run, memory stays bounded by one iteration's runs.
/// </summary>
public abstract class FreshEngineBenchmarks
{
    private FlowEngine? _engine;

    [IterationSetup]
    public void FreshEngine()
    {
        _engine = new FlowEngine(CreateOptions());
        FlowEngine.Default = _engine;
    }

    [IterationCleanup]
    public void DropEngine()
    {
        _engine?.Dispose();
        AfterIteration();
    }

    /// <summary>The engine's options; by default the in-memory store and logging off.</summary>
    protected virtual FlowEngineOptions CreateOptions() => new() { Store = new InMemoryRunStore() };

    /// <summary>Releases what <see cref="CreateOptions"/> made, once the engine is gone.</summary>
    protected virtual void AfterIteration()
    {
    }
}

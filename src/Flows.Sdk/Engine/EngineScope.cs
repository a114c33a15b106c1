
namespace Flows.Engine;

/// <summary>
/// Which engine generated code uses: the engine of the enclosing run, else one put in scope with
/// <see cref="FlowEngine.Use"/> on this logical call path (a test harness), else the application's
/// <see cref="FlowEngine.Default"/> (a host sets it), else the zero-configuration engine (<see cref="ZeroConfigEngine"/>).
/// </summary>
internal static class EngineScope
{
    private static readonly AsyncLocal<FlowEngine?> Scoped = new();
    private static FlowEngine? _default;

    /// <summary>The engine generated code uses on this logical call path.</summary>
    public static FlowEngine Current => RunContext.Current?.Engine ?? OutsideRuns;

    /// <summary>The engine of a call made outside any run (the caller has checked there is none).</summary>
    public static FlowEngine OutsideRuns => Scoped.Value ?? Volatile.Read(ref _default) ?? ZeroConfigEngine.Instance;

    /// <summary>The application's engine, used outside any scope.</summary>
    public static FlowEngine? Default
    {
        get => Volatile.Read(ref _default);
        set => Volatile.Write(ref _default, value);
    }

    /// <summary>Makes <paramref name="engine"/> current on the calling logical call path until the result is disposed.</summary>
    public static IDisposable Use(FlowEngine engine)
    {
        var previous = Scoped.Value;
        Scoped.Value = engine;
        return new ScopeRestorer(previous);
    }

    /// <summary>A disposed engine stops being the application's engine, if it was.</summary>
    public static void Forget(FlowEngine engine) => Interlocked.CompareExchange(ref _default, null, engine);

    private sealed class ScopeRestorer(FlowEngine? previous) : IDisposable
    {
        public void Dispose() => Scoped.Value = previous;
    }
}

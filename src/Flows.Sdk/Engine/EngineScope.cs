
namespace Flows.Engine;

/// <summary>
/// Which engine generated code uses: the engine of the enclosing run, else one put in scope with
/// <see cref="FlowEngine.Use"/> on this logical call path (a test harness), else the application's
/// <see cref="FlowEngine.Default"/> (a host sets it), else the zero-configuration engine (<see cref="ZeroConfigEngine"/>).
/// </summary>
/// <remarks>
/// The engine in scope shares one async-local slot with the current run (see <see cref="RunContext.Ambient"/>): a run
/// made current replaces the scope in the slot (a run's children take their engine from it), so making a run current
/// copies a map of one async-local value rather than two. A scope entered while a run is current keeps that run with it.
/// </remarks>
internal static class EngineScope
{
    private static FlowEngine? _default;

    /// <summary>The engine generated code uses on this logical call path.</summary>
    public static FlowEngine Current => RunContext.Current?.Engine ?? OutsideRuns;

    /// <summary>The engine of a call made outside any run (the caller has checked there is none).</summary>
    public static FlowEngine OutsideRuns => ScopedOrDefault ?? ZeroConfigEngine.Instance;

    /// <summary>
    /// The engine generated code would use on this logical call path, if there is one already: never creates the
    /// zero-configuration engine (masking text needs no engine where no engine has resolved a secret).
    /// </summary>
    public static FlowEngine? Existing => RunContext.Current?.Engine ?? ScopedOrDefault ?? ZeroConfigEngine.IfCreated;

    /// <summary>Outside runs: the engine put in scope on this call path, else the application's.</summary>
    private static FlowEngine? ScopedOrDefault => (RunContext.Ambient.Value as Entry)?.Engine ?? Volatile.Read(ref _default);

    /// <summary>The application's engine, used outside any scope.</summary>
    public static FlowEngine? Default
    {
        get => Volatile.Read(ref _default);
        set => Volatile.Write(ref _default, value);
    }

    /// <summary>Makes <paramref name="engine"/> current on the calling logical call path until the result is disposed.</summary>
    public static IDisposable Use(FlowEngine engine)
    {
        var previous = RunContext.Ambient.Value;
        var entry = new Entry(engine, RunContext.Current);
        RunContext.Ambient.Value = entry;
        return new ScopeRestorer(entry, previous);
    }

    /// <summary>A disposed engine stops being the application's engine, if it was.</summary>
    public static void Forget(FlowEngine engine) => Interlocked.CompareExchange(ref _default, null, engine);

    /// <summary>An engine in scope, and the run that was current when it was entered (which stays current).</summary>
    internal sealed record Entry(FlowEngine Engine, RunContext? Run);

    /// <summary>
    /// Puts back what the slot held before the scope, if the scope is still what it holds here. A scope disposed
    /// where it is no longer in force (entered inside a run and disposed after that run returned, or disposed twice)
    /// changes nothing: putting back a run that has ended would make it current again outside it.
    /// </summary>
    private sealed class ScopeRestorer(Entry entry, object? previous) : IDisposable
    {
        public void Dispose()
        {
            if (ReferenceEquals(RunContext.Ambient.Value, entry))
            {
                RunContext.Ambient.Value = previous;
            }
        }
    }
}

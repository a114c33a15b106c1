
namespace Flows.Engine;

/// <summary>
/// Makes a run <see cref="RunContext.Current"/> for a synchronous call and makes the caller's run current again
/// afterwards. (Asynchronous calls need neither: an async method restores its caller's context when it returns.)
/// </summary>
internal readonly struct CurrentRunScope
{
    private readonly object? _ambient;
    private readonly ExecutionContext? _caller;
    private readonly ExecutionContext? _entered;

    private CurrentRunScope(object? ambient, ExecutionContext? caller, ExecutionContext? entered)
    {
        _ambient = ambient;
        _caller = caller;
        _entered = entered;
    }

    public static CurrentRunScope Enter(RunContext run)
    {
        var caller = ExecutionContext.Capture();
        var ambient = RunContext.Ambient.Value;
        RunContext.Current = run;
        return new CurrentRunScope(ambient, caller, caller is null ? null : ExecutionContext.Capture());
    }

    /// <summary>
    /// When the call changed no other async-local value, the caller's own context is put back, which allocates
    /// nothing; otherwise only the current run (or engine scope, which shares its slot) is reset, so what the call set
    /// stays set, as after a plain call.
    /// </summary>
    public void Exit()
    {
        if (_caller is not null && ReferenceEquals(ExecutionContext.Capture(), _entered))
        {
            ExecutionContext.Restore(_caller);
        }
        else
        {
            RunContext.Ambient.Value = _ambient;
        }
    }
}

using System.Diagnostics;

namespace Flows.Engine;

/// <summary>
/// What the asynchronous invoke path hands back once a run has ended: the result itself
/// (<see cref="ResultOutcome{TResult}"/>), or the result with the task that carried it
/// (<see cref="OwnTaskOutcome{TResult}"/>). A type parameter rather than a flag, so each shape gets its own compiled
/// path and the result-only one carries nothing extra.
/// </summary>
internal interface IAsyncOutcome<TResult, TOutcome>
{
    /// <summary>The outcome of a result that did not come from an attempt completing at once (a cache hit, an awaited attempt).</summary>
    static abstract TOutcome Of(TResult result);

    /// <summary>The outcome of attempts that completed successfully at once; reads their result exactly once.</summary>
    static abstract TOutcome Completed(ValueTask<TResult> attempts, out TResult result);
}

/// <summary>The result alone: what methods returning <see cref="ValueTask{TResult}"/> (and every adapted shape) get.</summary>
internal readonly struct ResultOutcome<TResult> : IAsyncOutcome<TResult, TResult>
{
    public static TResult Of(TResult result) => result;

    /// <remarks>The caller has checked <see cref="ValueTask{TResult}.IsCompletedSuccessfully"/>: reading the result does not block.</remarks>
    public static TResult Completed(ValueTask<TResult> attempts, out TResult result)
    {
        Debug.Assert(attempts.IsCompletedSuccessfully, "Only attempts that completed at once are read here.");
        return result = attempts.Result;
    }
}

/// <summary>
/// The result and a completed task holding it, for methods returning <see cref="Task{TResult}"/>: when the body
/// completed at once, its own task (a <see cref="ValueTask{TResult}"/> wrapping a task gives that task back from
/// <see cref="ValueTask{TResult}.AsTask"/> without allocating), so the call allocates no second task. Otherwise a
/// task is made only when asked for.
/// </summary>
internal readonly struct OwnTaskOutcome<TResult> : IAsyncOutcome<TResult, OwnTaskOutcome<TResult>>
{
    private readonly Task<TResult>? _task;

    private OwnTaskOutcome(TResult result, Task<TResult>? task)
    {
        Result = result;
        _task = task;
    }

    public TResult Result { get; }

    /// <summary>The completed task to hand back to the caller.</summary>
    public Task<TResult> Task => _task ?? System.Threading.Tasks.Task.FromResult(Result);

    public static OwnTaskOutcome<TResult> Of(TResult result) => new(result, null);

    /// <remarks>As for <see cref="ResultOutcome{TResult}"/>: the task has completed, and reading its result does not block.</remarks>
    public static OwnTaskOutcome<TResult> Completed(ValueTask<TResult> attempts, out TResult result)
    {
        Debug.Assert(attempts.IsCompletedSuccessfully, "Only attempts that completed at once are read here.");
        var task = attempts.AsTask();
        result = task.Result;
        return new(result, task);
    }
}

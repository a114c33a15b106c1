using Flows.Mapping;
using Flows.Runs;

namespace Flows;

/// <summary>Mapping a task over items with bounded concurrency.</summary>
public static partial class Flow
{
    /// <summary>
    /// Calls <paramref name="body"/> (typically a task: <c>item =&gt; Download(item)</c>) for every item, at most
    /// <paramref name="maxConcurrency"/> at a time, and returns the results in the order of <paramref name="items"/>.
    /// </summary>
    /// <remarks>
    /// Items start in input order. The first call to fail (the first in time, not in input order) stops the map: no
    /// further item starts, the calls in flight run to their end (use the overload whose body takes a
    /// <see cref="CancellationToken"/> to cancel them instead), and then that exception is thrown unchanged, as
    /// <c>await</c> of a single failed call would throw it. The other calls' outcomes are in their own runs.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    // An async lambda converts to the Task and the ValueTask overload alike; the Task one wins instead of CS0121.
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Task<TResult[]> Map<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, Task<TResult>> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, TResult>.RunAsync(items, (item, _) => new ValueTask<TResult>(body(item)), maxConcurrency, cancellationToken);
    }

    /// <inheritdoc cref="Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, Task{TResult}}, int, CancellationToken)"/>
    public static Task<TResult[]> Map<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, ValueTask<TResult>> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, TResult>.RunAsync(items, (item, _) => body(item), maxConcurrency, cancellationToken);
    }

    /// <inheritdoc cref="Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, Task{TResult}}, int, CancellationToken)"/>
    // An async lambda converts to the Task and the ValueTask overload alike; the Task one wins instead of CS0121.
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Task Map<TItem>(IEnumerable<TItem> items, Func<TItem, Task> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, bool>.RunAsync(items, (item, _) => Done(body(item)), maxConcurrency, cancellationToken);
    }

    /// <inheritdoc cref="Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, Task{TResult}}, int, CancellationToken)"/>
    public static Task Map<TItem>(IEnumerable<TItem> items, Func<TItem, ValueTask> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, bool>.RunAsync(items, (item, _) => Done(body(item)), maxConcurrency, cancellationToken);
    }

    /// <summary>
    /// As <see cref="Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, Task{TResult}}, int, CancellationToken)"/>,
    /// passing each call a token that is cancelled when another call fails or <paramref name="cancellationToken"/> is
    /// cancelled: pass it to the task (<c>(item, ct) =&gt; Download(item, ct)</c>) and calls in flight end
    /// <see cref="RunState.Cancelled"/> as soon as the map stops.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    public static Task<TResult[]> Map<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, Task<TResult>> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, TResult>.RunAsync(items, (item, ct) => new ValueTask<TResult>(body(item, ct)), maxConcurrency, cancellationToken);
    }

    /// <inheritdoc cref="Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, CancellationToken, Task{TResult}}, int, CancellationToken)"/>
    public static Task Map<TItem>(IEnumerable<TItem> items, Func<TItem, CancellationToken, Task> body, int maxConcurrency, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        return ItemMap<TItem, bool>.RunAsync(items, (item, ct) => Done(body(item, ct)), maxConcurrency, cancellationToken);
    }

    private static ValueTask<bool> Done(Task task) => task.IsCompletedSuccessfully ? new(true) : AwaitDone(task);

    private static ValueTask<bool> Done(ValueTask task) => task.IsCompletedSuccessfully ? new(true) : AwaitDone(task.AsTask());

    private static async ValueTask<bool> AwaitDone(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}

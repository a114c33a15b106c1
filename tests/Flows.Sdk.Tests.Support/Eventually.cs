using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Tests.Support;

/// <summary>
/// Waits, in real time and bounded, for work on the thread pool to reach a state the test then asserts exactly.
/// This is the one place tests poll: each wait ends on a condition or a task, never after a guessed time, and fails
/// with what it waited for after <see cref="Limit"/> instead of hanging.
/// </summary>
public static class Eventually
{
    /// <summary>How long any wait may take before the test fails; far beyond what a loaded 2-core machine needs.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The task, failing with a <see cref="TimeoutException"/> instead of hanging when a leaked slot keeps it waiting.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Limit);

    /// <inheritdoc cref="Within{T}(Task{T})"/>
    public static Task Within(Task task) => task.WaitAsync(Limit);

    /// <summary>Returns once <paramref name="condition"/> holds; fails naming <paramref name="what"/> after <see cref="Limit"/>.</summary>
    public static Task Until(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Returns once <paramref name="condition"/> (a query, say) holds; fails naming <paramref name="what"/> after <see cref="Limit"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, string what) => UntilAsync(condition, what, Limit);

    /// <summary>
    /// As <see cref="UntilAsync(Func{Task{bool}}, string)"/>, bounded by <paramref name="limit"/> instead: for a wait whose
    /// length is the subject's own (a thousand runs draining through a cluster, a crash noticed by a heartbeat timeout).
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Gave up after {limit.TotalSeconds} s waiting until {what}.");
            }

            await ATurnForThePool().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="task"/> ends, then awaits it.
    /// A delay armed on the thread pool may be armed just after an advance, and would then wait for the next one:
    /// advancing once is a race, advancing until done is not.
    /// </summary>
    public static async Task AdvanceUntilDone(FakeTimeProvider time, Task task, TimeSpan step)
    {
        await AdvanceUntilEnded(time, task, step).ConfigureAwait(false);
        await task.ConfigureAwait(false);
    }

    /// <summary>As <see cref="AdvanceUntilDone"/>, but returns once the task ended, however it ended, without awaiting it.</summary>
    public static async Task AdvanceUntilEnded(FakeTimeProvider time, Task task, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(task);
        var clock = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            if (clock.Elapsed > Limit)
            {
                Assert.Fail($"Gave up after {Limit.TotalSeconds} s advancing the clock by {step} until the call ended.");
            }

            time.Advance(step);
            await Task.WhenAny(task, ATurnForThePool()).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="total"/> in steps of <paramref name="step"/>, giving the thread
    /// pool a turn after each, so that work armed on the fake clock (a writer's retry, say) runs at each step as it would
    /// in real time rather than all at once at the end.
    /// </summary>
    public static async Task AdvanceInSteps(FakeTimeProvider time, TimeSpan total, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(time);
        for (var advanced = TimeSpan.Zero; advanced < total; advanced += step)
        {
            time.Advance(step);
            await ATurnForThePool().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The pause between two looks at a condition: the shortest real timer, so that other thread-pool work runs.
    /// Not a synchronisation: every caller looks again afterwards, bounded by <see cref="Limit"/>.
    /// </summary>
    private static Task ATurnForThePool() => Task.Delay(1);
}

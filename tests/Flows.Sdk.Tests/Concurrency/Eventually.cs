using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Tests;

/// <summary>Waits, in real time and briefly, for work on the thread pool to reach a state the test then asserts exactly.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>The task, failing with a <see cref="TimeoutException"/> instead of hanging when a leaked slot keeps it waiting.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Limit);

    /// <inheritdoc cref="Within{T}(Task{T})"/>
    public static Task Within(Task task) => task.WaitAsync(Limit);

    public static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Limit)
            {
                Assert.Fail($"Gave up after {Limit.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="task"/> ends.
    /// A delay armed on the thread pool may be armed just after an advance, and would then wait for the next one:
    /// advancing once is a race, advancing until done is not.
    /// </summary>
    public static async Task AdvanceUntilDone(FakeTimeProvider time, Task task, TimeSpan step)
    {
        var clock = Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            if (clock.Elapsed > Limit)
            {
                Assert.Fail($"Gave up after {Limit.TotalSeconds} s advancing the clock by {step} until the call ended.");
            }

            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(1));
        }

        await task;
    }
}

using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests;

/// <summary>Waits, in real time and bounded, for work on the thread pool to reach a state the test then asserts exactly.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

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
    /// Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="task"/> ends, and returns it.
    /// A delay armed on the thread pool may be armed just after an advance, and would then wait for the next one:
    /// advancing once is a race, advancing until done is not.
    /// </summary>
    public static async Task<Task> AdvanceUntilDone(FakeTimeProvider time, Task task, TimeSpan step)
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

        return task;
    }

    /// <summary>Advances <paramref name="time"/> by <paramref name="total"/>, <paramref name="step"/> at a time, letting the thread pool run between steps.</summary>
    public static async Task Advance(FakeTimeProvider time, TimeSpan total, TimeSpan step)
    {
        for (var advanced = TimeSpan.Zero; advanced < total; advanced += step)
        {
            time.Advance(step);
            await Task.Delay(1);
        }
    }
}

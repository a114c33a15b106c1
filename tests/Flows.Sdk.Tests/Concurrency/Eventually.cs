using System.Diagnostics;

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
}

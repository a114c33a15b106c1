using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests;

/// <summary>
/// Flows that start, wait until the test lets them go on (<see cref="Go"/>), then say their line through a task run
/// that logs it: a test can so decide what happens to the store between a flow's start and its end.
/// </summary>
public sealed class Talkers
{
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private int _said;

    /// <summary>Flow runs that have started and wait for <see cref="Go"/>.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    /// <summary>Lines logged (and so queued for the store).</summary>
    public int Said => Volatile.Read(ref _said);

    /// <summary>The text of the line <see cref="Say"/> logs.</summary>
    public static string LineOf(string line) => "Said " + line;

    public void Go() => _go.TrySetResult();

    [Flow("store-talk")]
    public async Task Talk(string line)
    {
        Interlocked.Increment(ref _arrived);
        await _go.Task;
        await Say(line);
    }

    [Task("store-say")]
    public async Task Say(string line)
    {
        await Task.Yield();
        Flow.Logger.LogInformation("Said {Line}", line);
        Interlocked.Increment(ref _said);
    }
}

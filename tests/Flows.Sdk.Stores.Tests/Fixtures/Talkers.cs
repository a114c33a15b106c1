using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests.Fixtures;

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

    /// <summary>Checks that every talk flow in <paramref name="store"/> and its task run completed, each with all its transitions; returns the flows' details.</summary>
    public static async Task<List<RunDetails>> AssertAllCompletedAsync(IRunStore store)
    {
        var all = new List<RunDetails>();
        foreach (var flow in await store.QueryRunsAsync(new RunQuery { Name = "store-talk" }))
        {
            var details = (await store.GetRunDetailsAsync(flow.Id))!;
            Assert.That(details.Run.State, Is.EqualTo(RunState.Completed));
            Assert.That(details.Transitions.Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
            var task = details.TaskRuns.Single();
            Assert.That(task.State, Is.EqualTo(RunState.Completed));
            Assert.That((await store.GetTransitionsAsync(task.Id)).Select(t => t.State), Is.EqualTo(new[] { RunState.Pending, RunState.Running, RunState.Completed }));
            all.Add(details);
        }

        return all;
    }

    /// <summary>The lines a talk flow's task said, as stored.</summary>
    public static List<string> LinesOf(RunDetails details) =>
        [.. details.Logs.Select(l => l.Message).Where(m => m.StartsWith(LineOf(string.Empty), StringComparison.Ordinal))];

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

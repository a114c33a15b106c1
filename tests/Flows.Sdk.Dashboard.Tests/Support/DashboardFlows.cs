using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Tests.Support;

/// <summary>The flows the dashboard tests run and look at.</summary>
public sealed class DashboardFlows
{
    /// <summary>Gates <c>dash-gated</c> runs wait on, by name: a test opens one to let its run go on.</summary>
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static void Open(string gate) =>
        Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Greets <paramref name="name"/> <paramref name="times"/> times, one task run each.</summary>
    [Flow("dash-greet", Description = "Says hello")]
    public async Task<int> Greet(string name, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            await Say(name);
        }

        Flow.Logger.LogInformation("Greeted {Name} {Times} times", name, times);
        return times;
    }

    [Task("dash-say")]
    public Task Say(string name) => Task.CompletedTask;

    /// <summary>Fails with a message naming <paramref name="table"/>, after logging a warning.</summary>
    [Flow("dash-fail")]
    public async Task Fail(string table)
    {
        Flow.Logger.LogWarning("Loading {Table}", table);
        await Load(table);
    }

    [Task("dash-load")]
    public Task Load(string table) => throw new InvalidOperationException($"relation \"{table}\" does not exist");

    /// <summary>Runs one task, then waits on the gate named <paramref name="gate"/> in a second task until opened or cancelled.</summary>
    [Flow("dash-gated")]
    public async Task Gated(string gate, CancellationToken cancellationToken)
    {
        await Say(gate);
        await Wait(gate, cancellationToken);
        await Say(gate);
    }

    [Task("dash-wait")]
    public async Task Wait(string gate, CancellationToken cancellationToken)
    {
        Flow.Logger.LogInformation("Waiting on {Gate}", gate);
        await Gates.GetOrAdd(gate, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(cancellationToken);
    }
}

using Flows.Runs;

namespace Flows.Tests.Runs;

public sealed class RunWaitsTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TotalWait_AddsEveryWait_UntilTheTransitionThatEndsIt()
    {
        var id = Guid.NewGuid();
        StateTransition[] transitions =
        [
            new(id, RunState.Pending, Start, 0),
            new(id, RunState.Pending, Start.AddSeconds(1), 0, "Waiting for a slot of tag 'db' (1 at a time)"),
            new(id, RunState.Pending, Start.AddSeconds(4), 0, "Waiting for a permit of tag 'api' (10/1s)"),
            new(id, RunState.Running, Start.AddSeconds(5), 1),
            new(id, RunState.Retrying, Start.AddSeconds(6), 1, "IOException: transient Retrying in 10 s."),
            new(id, RunState.Pending, Start.AddSeconds(16), 1, "Waiting for a slot of tag 'db' (1 at a time)"),
            new(id, RunState.Running, Start.AddSeconds(18), 2),
            new(id, RunState.Completed, Start.AddSeconds(19), 2),
        ];

        Assert.That(RunWaits.TotalWait(transitions), Is.EqualTo(TimeSpan.FromSeconds(4 + 2)));
    }

    [Test]
    public void TotalWait_OfARunStillWaiting_CountsUpToItsLastTransition()
    {
        var id = Guid.NewGuid();
        StateTransition[] transitions =
        [
            new(id, RunState.Pending, Start, 0),
            new(id, RunState.Pending, Start.AddSeconds(2), 0, "Waiting for a slot of tag 'db' (1 at a time)"),
            new(id, RunState.Cancelled, Start.AddSeconds(9), 0, "TaskCanceledException: A task was canceled."),
        ];

        Assert.That(RunWaits.TotalWait(transitions), Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(transitions.Select(RunWaits.IsWait), Is.EqualTo(new[] { false, true, false }));
    }
}

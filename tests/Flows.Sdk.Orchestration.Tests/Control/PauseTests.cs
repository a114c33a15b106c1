using Flows.Orchestration.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Control;

public sealed class PauseTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 30, TimeSpan.Zero);

    [Test]
    public async Task APause_KeepsItsReasonAndRequester_AcrossARestartThatChangesTheDeployment_AndNoSlotRunsWhilePaused()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using (var first = await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("paused", "orch-record", d => d.Cron("* * * * *"))))
        {
            await first.Deployments.PauseAsync("paused", "source system down for maintenance", "ops@example.com");
        }

        // The code changed while it was paused: reconcile replaces its trigger, and must not un-pause it.
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o
            .Deploy("paused", "orch-record", d => d.Cron("*/1 * * * *").Parameters(new { label = "paused" }))
            .Deploy("beside", "orch-record", d => d.Cron("* * * * *").Parameters(new { label = "beside" })));
        var info = (await host.Deployments.ListAsync()).Single(d => d.Name == "paused");
        await host.JumpToAsync(new DateTimeOffset(2026, 1, 5, 10, 1, 0, 200, TimeSpan.Zero), async () => (await host.RunsOfAsync("beside")).Count == 1, "the unpaused deployment's slot");

        Assert.Multiple(async () =>
        {
            Assert.That(info.Paused, Is.True);
            Assert.That(info.PauseReason, Is.EqualTo("source system down for maintenance"));
            Assert.That(info.PausedBy, Is.EqualTo("ops@example.com"));
            Assert.That(info.Schedules, Is.EqualTo(new[] { "cron '*/1 * * * *' in UTC" }));
            Assert.That(await host.RunsOfAsync("paused"), Is.Empty);
        });
    }

    [Test]
    public async Task Resume_FiresTheNextSlot()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, o => o.Deploy("resumed", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.None)));
        await host.Deployments.PauseAsync("resumed", "testing", "a test");

        await host.Deployments.ResumeAsync("resumed");
        await host.JumpToAsync(new DateTimeOffset(2026, 1, 5, 10, 1, 0, 200, TimeSpan.Zero), async () => (await host.RunsOfAsync("resumed")).Count == 1, "the slot after the resume");

        Assert.That((await host.Deployments.ListAsync()).Single().Paused, Is.False);
    }

    [Test]
    public async Task Resume_DoesNotCatchUpTheSlotsMissedWhilePaused_EvenUnderCatchUpLatest()
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(Start);
        DeploymentInfo resumed;
        void Deploy(OrchestrationOptions o) => o.Deploy("held", "orch-record", d => d.Cron("* * * * *").CatchUp(CatchUp.Latest));
        await using (var first = await OrchestrationHost.StartAsync(home.Path, time, Deploy))
        {
            await first.Deployments.PauseAsync("held", "source system down", "ops@example.com");
            await first.JumpToAsync(new DateTimeOffset(2026, 1, 5, 10, 5, 10, TimeSpan.Zero), () => Task.FromResult(true), "five slots pass while paused");
            await first.Deployments.ResumeAsync("held");
            resumed = (await first.Deployments.ListAsync()).Single();
        }

        // A host started after the resume (this one, restarted, or any node of a cluster) sees what the resume stored.
        await using var host = await OrchestrationHost.StartAsync(home.Path, time, Deploy);
        var next = new DateTimeOffset(2026, 1, 5, 10, 6, 0, TimeSpan.Zero);
        await host.JumpToAsync(next.AddMilliseconds(200), async () => (await host.RunsOfAsync("held")).Any(r => r.ScheduledFor == next && r.State.IsFinal()), "the first slot after the resume");

        Assert.That((resumed.Paused, resumed.NextFireTime), Is.EqualTo((false, (DateTimeOffset?)next)), "resumed from the first slot after now, not from 10:01, which a misfire would catch up");
        Assert.That((await host.RunsOfAsync("held")).Select(r => r.ScheduledFor), Is.EqualTo(new DateTimeOffset?[] { next }), "10:01-10:05 came by while paused: none runs");
        Assert.That((await host.Deployments.ListAsync()).Single().Paused, Is.False);
    }

    [Test]
    public async Task PausingAnUnknownDeployment_NamesTheKnownOnes()
    {
        using var home = TempFolder.Create();
        await using var host = await OrchestrationHost.StartAsync(home.Path, new FakeTimeProvider(Start), o => o.Deploy("known", "orch-record", d => d.Cron("* * * * *")));

        var error = Assert.ThrowsAsync<ArgumentException>(() => host.Deployments.PauseAsync("unknown", "why", "who"));

        Assert.That(error!.Message, Does.Contain("No deployment is named 'unknown'. Deployments: known."));
    }
}

using Flows.Runs;
using Flows.Orchestration.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Orchestration.Tests.Cluster;

/// <summary>A host on a SQLite home is stopped for ten minutely slots and started again on the same files.</summary>
public sealed class RestartTests
{
    private static readonly DateTimeOffset TenOClock = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [TestCase(CatchUp.None, new int[0])]
    [TestCase(CatchUp.Latest, new[] { 11 })]
    [TestCase(CatchUp.All, new[] { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 })]
    public async Task ARestartAfterTenMissedSlots_RunsWhatTheCatchUpPolicySays(CatchUp policy, int[] caughtUpMinutes)
    {
        using var home = TempFolder.Create();
        var time = new FakeTimeProvider(TenOClock.AddSeconds(30));
        void Declare(OrchestrationOptions o) => o.Deploy("minutely", "orch-record", d => d.Cron("* * * * *").CatchUp(policy));

        await using (var before = await OrchestrationHost.StartAsync(home.Path, time, Declare))
        {
            await before.JumpToAsync(TenOClock.AddMinutes(1).AddMilliseconds(200), async () => (await before.RunsOfAsync("minutely")).Count == 1, "the 10:01 run");
            await before.EndedRunsAsync("minutely", 1);
        }

        // Down from just after 10:01 to 10:11:30: the slots 10:02 to 10:11 pass with nothing running.
        time.SetUtcNow(TenOClock.AddMinutes(11).AddSeconds(30));
        await using var after = await OrchestrationHost.StartAsync(home.Path, time, Declare);
        // The catch-up runs at 10:11:30 (the clock stands still until they have ended: a catch-up firing seen after the
        // jump would stand for 10:12). Then the next slot, which comes after any catch-up on the same trigger.
        await after.EndedRunsAsync("minutely", 1 + caughtUpMinutes.Length);
        await Eventually.UntilAsync(async () => (await after.Deployments.ListAsync()).Single().NextFireTime == TenOClock.AddMinutes(12), "the catch-up to be over: next slot 10:12");
        await after.JumpToAsync(TenOClock.AddMinutes(12).AddMilliseconds(200),
            async () => (await after.RunsOfAsync("minutely")).Any(r => r.ScheduledFor == TenOClock.AddMinutes(12) && r.State.IsFinal()), "the 10:12 run");
        var runs = await after.EndedRunsAsync("minutely", 2 + caughtUpMinutes.Length);

        Assert.That(runs.Select(r => r.ScheduledFor!.Value.Minute), Is.EqualTo(new[] { 1 }.Concat(caughtUpMinutes).Append(12)));
    }
}

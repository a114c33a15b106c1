using Flows.Runs;
using Flows.Stores;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>Which events are notified, how incidents are grouped and recovered, and how delivery is retried and recorded.</summary>
public sealed class NotificationProcessorTests
{
    [Test]
    public async Task EachEventKind_TriggersExactlyTheRulesThatNameIt()
    {
        string[] channels = ["failed", "crashed", "timed-out", "cancelled", "completed", "any-failure", "late", "stalled", "silent", "voter-sync", "nightly", "started-late"];
        var h = new ProcessorHarness(
            o => o
                .Notify(n => n.When(RunEvent.Failed).To("failed"))
                .Notify(n => n.When(RunEvent.Crashed).To("crashed"))
                .Notify(n => n.When(RunEvent.TimedOut).To("timed-out"))
                .Notify(n => n.When(RunEvent.Cancelled).To("cancelled"))
                .Notify(n => n.When(RunEvent.Completed).To("completed"))
                .Notify(n => n.When(RunEvent.AnyFailure).To("any-failure"))
                .Notify(n => n.WhenLate(TimeSpan.FromMinutes(10)).To("late"))
                .Notify(n => n.WhenLate().To("started-late"))
                .Notify(n => n.WhenRunningLongerThan(TimeSpan.FromHours(2)).To("stalled"))
                .Notify(n => n.WhenNotSucceededWithin("nightly-load", TimeSpan.FromHours(26)).To("silent"))
                .Notify(n => n.When(RunEvent.Failed).ForFlows("voter-sync*").To("voter-sync"))
                .Notify(n => n.When(RunEvent.AnyFailure).ForDeployments("nightly-*").To("nightly")),
            channels: channels);
        var start = h.Time.GetUtcNow();
        await h.EndedAsync("voter-sync-daily", RunState.Failed);
        await h.EndedAsync("crashes", RunState.Crashed, deployment: "nightly-crash");
        await h.EndedAsync("times-out", RunState.TimedOut);
        await h.EndedAsync("is-cancelled", RunState.Cancelled);
        await h.EndedAsync("completes", RunState.Completed);
        await h.OpenAsync("waits", RunState.Scheduled, start - TimeSpan.FromMinutes(11));
        await h.OpenAsync("waits-a-little", RunState.Scheduled, start - TimeSpan.FromMinutes(9));
        await h.OpenAsync("runs-long", RunState.Running, start - TimeSpan.FromHours(3));
        await h.OpenAsync("runs-short", RunState.Running, start - TimeSpan.FromHours(1));
        var startedLate = (await h.OpenAsync("started-late", RunState.Running, start)) with { ScheduledFor = start - TimeSpan.FromMinutes(20) };
        await h.Store.SaveRunAsync((await h.OpenAsync("started-on-time", RunState.Running, start)) with { ScheduledFor = start });
        await h.Store.WriteAsync(new RunWriteBatch
        {
            Runs = [startedLate],
            Transitions = [new(startedLate.Id, RunState.Late, start, 0, "20 minutes late"), new(startedLate.Id, RunState.Running, start, 1)],
        });

        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromHours(26));
        await h.TickAsync();

        var received = channels.ToDictionary(c => c, c => h[c].Received.Select(m => $"{m.Event} {m.Flow}").Order().ToArray());
        Assert.That(received, Is.EqualTo(new Dictionary<string, string[]>
        {
            ["failed"] = ["Failed voter-sync-daily"],
            ["crashed"] = ["Crashed crashes"],
            ["timed-out"] = ["TimedOut times-out"],
            ["cancelled"] = ["Cancelled is-cancelled"],
            ["completed"] = ["Completed completes"],
            ["any-failure"] = ["Crashed crashes", "Failed voter-sync-daily", "TimedOut times-out"],

            // 26 hours on, the run that waited 9 minutes is late too: both are notified, once each.
            ["late"] = ["Late waits", "Late waits-a-little"],
            ["stalled"] = ["Stalled runs-long", "Stalled runs-short", "Stalled started-late", "Stalled started-on-time"],
            ["silent"] = ["Silent nightly-load"],
            ["voter-sync"] = ["Failed voter-sync-daily"],
            ["nightly"] = ["Crashed crashes"],

            // Without a threshold of its own, a rule hears of the runs their deployment marked Late as they started.
            ["started-late"] = ["Late started-late"],
        }));
    }

    [Test]
    public async Task AMessage_SaysWhatHappenedToWhichRun_WithTheErrorsFirstLinesAndALinkToTheRun()
    {
        var h = new ProcessorHarness(
            o =>
            {
                o.Notify(n => n.When(RunEvent.Failed).To("ops"));
                o.DashboardUrl = new Uri("https://ops.example.org/flows");
                o.ErrorLines = 2;
            },
            channels: "ops");
        var run = await h.EndedAsync("voter-sync", RunState.Failed, deployment: "voter-sync-nightly");

        await h.TickAsync();

        var message = h["ops"].Received.Single();
        Assert.That(
            (message.Title, message.RunId, message.State, message.Error, message.Duration, message.Attempt, message.Parameters["region"].GetString(), message.RunUrl),
            Is.EqualTo(("voter-sync failed (deployment voter-sync-nightly)", (Guid?)run.Id, "Failed", "voter-sync went wrong\nat line 2\n... (1 more line)", (TimeSpan?)TimeSpan.FromSeconds(20), 1, "north", new Uri($"https://ops.example.org/flows/runs/{run.Id}"))));
    }

    [Test]
    public async Task ADeploymentFailingTenTimesWithinTheWindow_IsOneNotificationWithACount_ThenOneRecovered()
    {
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.AnyFailure).ForDeployments("nightly-load").WhenRecovered().GroupFor(TimeSpan.FromHours(1)).To("ops")), channels: "ops");
        var failures = new List<RunRecord>();
        for (var i = 0; i < 10; i++)
        {
            failures.Add(await h.EndedAsync("load", i % 3 == 2 ? RunState.Crashed : RunState.Failed, deployment: "nightly-load"));
            await h.TickAsync();
            h.Time.Advance(TimeSpan.FromMinutes(5));
        }

        var recovery = await h.EndedAsync("load", RunState.Completed, deployment: "nightly-load");
        await h.TickAsync();

        Assert.That(h["ops"].Received.Select(m => (m.Event, m.Count)), Is.EqualTo(new[] { (RunEvent.Failed, 1), (RunEvent.Recovered, 10) }));
        Assert.That(h["ops"].Received.Last().Title, Is.EqualTo("load recovered after 10 failures (deployment nightly-load)"));
        Assert.That((h["ops"].Received.Last().FirstAt, h["ops"].Received.Last().LastAt), Is.EqualTo((failures[0].EndedAt!.Value, recovery.EndedAt!.Value)), "the incident's span: its first notification to the recovery");
        var first = (await h.RecordsAsync(failures[0])).Single();
        Assert.That((first.Status, first.Count, first.Attempts), Is.EqualTo((NotificationStatus.Sent, 10, 1)));
        foreach (var grouped in failures.Skip(1))
        {
            var record = (await h.RecordsAsync(grouped)).Single();
            Assert.That((record.Status, record.GroupedInto), Is.EqualTo((NotificationStatus.Grouped, (Guid?)first.Id)));
        }

        Assert.That((await h.RecordsAsync(recovery)).Single().Event, Is.EqualTo(nameof(RunEvent.Recovered)));

        // After the recovery, a failure is a new incident, and a second completion recovers nothing.
        await h.EndedAsync("load", RunState.Completed, deployment: "nightly-load");
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.EndedAsync("load", RunState.Failed, deployment: "nightly-load");
        await h.TickAsync();
        Assert.That(h["ops"].Received.Select(m => m.Event), Is.EqualTo(new[] { RunEvent.Failed, RunEvent.Recovered, RunEvent.Failed }));
    }

    [Test]
    public async Task ARunWhoseEndIsRecordedLate_IsNotifiedWhenItLandsWithinReadBack_AndOnlyOnce()
    {
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.Failed).To("ops")).GroupingWindow = TimeSpan.Zero, channels: "ops");
        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromMinutes(3));
        await h.TickAsync();

        // Ended two minutes ago by an engine that held its writes through a store outage: it lands only now.
        var late = await h.EndedAsync("load", RunState.Failed, endedAgo: TimeSpan.FromMinutes(2));
        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.TickAsync();

        Assert.That(h["ops"].Received.Select(m => m.RunId), Is.EqualTo(new Guid?[] { late.Id }));
    }

    [Test]
    public async Task AFailureAfterTheGroupingWindow_IsNotifiedAgain()
    {
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.Failed).To("ops")).GroupingWindow = TimeSpan.FromMinutes(30), channels: "ops");
        await h.EndedAsync("load", RunState.Failed);
        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromMinutes(29));
        await h.EndedAsync("load", RunState.Failed);
        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.EndedAsync("load", RunState.Failed);
        await h.TickAsync();

        Assert.That(h["ops"].Received.Select(m => m.Count), Is.EqualTo(new[] { 1, 1 }));
    }

    [Test]
    public async Task AChannelDown_IsRetriedWithDoublingBackoff_EachAttemptRecorded_ThenRecordedFailed()
    {
        var h = new ProcessorHarness(
            o =>
            {
                o.Notify(n => n.When(RunEvent.Failed).To("ops"));
                o.DeliveryAttempts = 3;
                o.DeliveryBackoff = TimeSpan.FromSeconds(10);
            },
            channels: "ops");
        h["ops"].FailuresLeft = int.MaxValue;
        var run = await h.EndedAsync("load", RunState.Failed);

        await h.TickAsync();
        var afterFirst = (await h.RecordsAsync(run)).Single();
        h.Time.Advance(TimeSpan.FromSeconds(9));
        await h.Processor.DeliverDueAsync(CancellationToken.None);
        var notYet = h["ops"].Attempts;
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Processor.DeliverDueAsync(CancellationToken.None);
        var afterSecond = (await h.RecordsAsync(run)).Single();
        h.Time.Advance(TimeSpan.FromSeconds(20));
        await h.Processor.DeliverDueAsync(CancellationToken.None);
        var last = (await h.RecordsAsync(run)).Single();

        Assert.That((afterFirst.Status, afterFirst.Attempts, afterFirst.NextAttemptAt - afterFirst.CreatedAt), Is.EqualTo((NotificationStatus.Pending, 1, (TimeSpan?)TimeSpan.FromSeconds(10))));
        Assert.That(notYet, Is.EqualTo(1));
        Assert.That((afterSecond.Attempts, afterSecond.NextAttemptAt - afterSecond.CreatedAt), Is.EqualTo((2, (TimeSpan?)TimeSpan.FromSeconds(30))));
        Assert.That((last.Status, last.Attempts, last.Error, h.Processor.PendingCount), Is.EqualTo((NotificationStatus.Failed, 3, "InvalidOperationException: ops is down", 0)));

        // The channel back up: the next failure is notified, not counted into the one nobody received.
        h["ops"].FailuresLeft = 0;
        await h.EndedAsync("load", RunState.Failed);
        await h.TickAsync();
        Assert.That(h["ops"].Received.Select(m => (m.Event, m.Count)), Is.EqualTo(new[] { (RunEvent.Failed, 1) }));
    }

    [Test]
    public async Task AnEventReadAgain_OrByAnotherTick_IsNotifiedOnce()
    {
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.Failed).To("ops")).GroupingWindow = TimeSpan.Zero, channels: "ops");
        await h.EndedAsync("load", RunState.Failed);

        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.TickAsync();
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.TickAsync();

        Assert.That(h["ops"].Received, Has.Count.EqualTo(1));
    }
}

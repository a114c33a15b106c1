using Flows.Runs;

namespace Flows.Stores.Tests;

/// <summary>
/// Notifications about runs (<see cref="INotificationStore"/>) and the runs that ended since a time
/// (<see cref="RunQuery.EndedAfter"/>), on every store.
/// </summary>
public abstract partial class RunStoreConformanceTests
{
    [Test]
    public async Task NotificationClaimedByRacers_IsStoredOnce_AndOnlyOneRacerWins()
    {
        var other = (INotificationStore)await ReopenAsync();
        var mine = (INotificationStore)_store;
        var runId = Guid.CreateVersion7();

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => (i % 2 == 0 ? mine : other).TryClaimAsync(Notification("rule|run|Failed|ops", runId)))));

        Assert.That(claims.Count(c => c), Is.EqualTo(1), "exactly one racer stores the event");
        Assert.That(await mine.GetNotificationsAsync(runId), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task UpdatedNotification_ReadsBackItsDelivery_AndKeepsWhatWasClaimed_PerRunOldestFirst()
    {
        var store = (INotificationStore)_store;
        var runId = Guid.CreateVersion7();
        var first = Notification("r|1|Failed|ops", runId);
        var second = Notification("r|1|Failed|mail", runId) with { Channel = "mail", CreatedAt = T0.AddSeconds(1) };
        await store.TryClaimAsync(first);
        await store.TryClaimAsync(second);
        await store.TryClaimAsync(Notification("r|2|Failed|ops", Guid.CreateVersion7()));
        var sent = first with
        {
            Status = NotificationStatus.Failed, Attempts = 3, Error = "SmtpException: refused\0", SentAt = T0.AddMinutes(1), NextAttemptAt = T0.AddMinutes(2),
            OwnerId = Guid.CreateVersion7(),
        };

        // What the notification is about, and its count, are not the sender's to change.
        await store.UpdateAsync(sent with { Count = 10, GroupedInto = Guid.CreateVersion7(), Flow = "other", Event = "Late", CreatedAt = T0.AddDays(1) });

        var read = await (await ReopenAsync() as INotificationStore)!.GetNotificationsAsync(runId);
        Assert.That(read.Select(n => n.Id), Is.EqualTo(new[] { first.Id, second.Id }), "the run's own, oldest first");
        Assert.That(read[0] with { Error = null }, Is.EqualTo(sent with { Error = null }));
        Assert.That(read[0].Error, Does.StartWith("SmtpException: refused"));
        Assert.That(read[1], Is.EqualTo(second));
        Assert.That(await store.GetNotificationAsync(second.Id), Is.EqualTo(second));
    }

    [Test]
    public async Task CountsAddedAtOnceFromTwoStores_AllCount()
    {
        var mine = (INotificationStore)_store;
        var other = (INotificationStore)await ReopenAsync();
        var head = Notification("r|1|Failed|ops", null);
        await mine.TryClaimAsync(head);
        const int additions = 40;
        static int Added(int i) => 1 + (i % 2);

        // Every addition starts at once, half through each store, as replicas grouping failures into one notification.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var adding = Enumerable.Range(0, additions).Select(async i =>
        {
            await go.Task;
            return await (i % 2 == 0 ? mine : other).AddToCountAsync(head.Id, Added(i));
        }).ToList();
        go.SetResult();
        var sums = await Task.WhenAll(adding);

        var expected = head.Count + Enumerable.Range(0, additions).Sum(Added);
        Assert.That((await mine.GetNotificationAsync(head.Id))!.Count, Is.EqualTo(expected), "no addition is lost");
        Assert.That(sums.Max(), Is.EqualTo(expected), "the last addition returns the total");
        Assert.That(sums.Distinct().Count(), Is.EqualTo(additions), "each addition returns the sum it made");
    }

    [Test]
    public async Task UpdateAfterACountWasAdded_KeepsTheCount()
    {
        var sender = (INotificationStore)_store;
        var grouper = (INotificationStore)await ReopenAsync();
        var head = Notification("r|1|Failed|ops", null) with { OwnerId = Guid.CreateVersion7() };
        await sender.TryClaimAsync(head);

        // The sender read the record at count 1; another process counts two events into it before the sender records it sent.
        await grouper.AddToCountAsync(head.Id);
        await grouper.AddToCountAsync(head.Id);
        await sender.UpdateAsync(head with { Status = NotificationStatus.Sent, Attempts = 1, SentAt = T0.AddSeconds(5), NextAttemptAt = null });

        var read = await grouper.GetNotificationAsync(head.Id);
        Assert.That((read!.Status, read.Attempts, read.Count), Is.EqualTo((NotificationStatus.Sent, 1, 3)));
    }

    [Test]
    public async Task NotificationThatIsNotStored_HasNoCountToAddTo_AndReadsAsNull()
    {
        var store = (INotificationStore)_store;

        Assert.That(await store.AddToCountAsync(Guid.CreateVersion7()), Is.Null);
        Assert.That(await store.GetNotificationAsync(Guid.CreateVersion7()), Is.Null);
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.AddToCountAsync(Guid.CreateVersion7(), -1));
    }

    [Test]
    public async Task LatestOfIncident_IsTheNewestClaimed_OrNull()
    {
        var store = (INotificationStore)_store;
        var older = Notification("a", null) with { IncidentKey = "rule|nightly|IOException" };
        var newer = Notification("b", null) with { IncidentKey = "rule|nightly|IOException", CreatedAt = T0.AddMinutes(5) };
        await store.TryClaimAsync(older);
        await store.TryClaimAsync(newer);
        await store.TryClaimAsync(Notification("c", null) with { IncidentKey = "rule|other|IOException", CreatedAt = T0.AddMinutes(9) });

        Assert.That((await store.GetLatestOfIncidentAsync("rule|nightly|IOException"))?.Id, Is.EqualTo(newer.Id));
        Assert.That(await store.GetLatestOfIncidentAsync("rule|none"), Is.Null);
    }

    [Test]
    public async Task PendingNotificationWithNoOwner_IsTakenOverOnce_UpToTheLimit_AndNothingElse()
    {
        var store = (INotificationStore)_store;
        await _store.OpenAsync();

        // A taker is a live owner: on the SQL stores this store's registered owner id.
        var me = _store is IRunOwners owners ? owners.OwnerId : Guid.CreateVersion7();
        var (a, b, c) = (Notification("a", null), Notification("b", null) with { CreatedAt = T0.AddSeconds(1) }, Notification("c", null) with { CreatedAt = T0.AddSeconds(2) });
        foreach (var n in new[] { a, b, c, Notification("sent", null) with { Status = NotificationStatus.Sent } })
        {
            await store.TryClaimAsync(n);
        }

        var taken = await store.TakeOverAbandonedAsync(me, 2);
        var rest = await store.TakeOverAbandonedAsync(me, 10);

        Assert.That(taken.Select(n => (n.Id, n.OwnerId)), Is.EqualTo(new[] { (a.Id, (Guid?)me), (b.Id, (Guid?)me) }), "oldest first, owned by the taker");
        Assert.That(rest.Select(n => n.Id), Is.EqualTo(new[] { c.Id }), "a taken record is no longer abandoned; a sent one never was");
    }

    [Test]
    public async Task EndedAfter_FindsRunsThatEndedAtOrAfterTheTime_NotThoseStillRunning()
    {
        RunRecord Ended(string name, int minute) => Run(name, RunKind.Flow, RunState.Completed) with { StartedAt = T0, EndedAt = T0.AddMinutes(minute) };
        var (before, at, after) = (Ended("before", 1), Ended("at", 2), Ended("after", 3));
        await _store.WriteAsync(new RunWriteBatch { Runs = [before, at, after, Run("running", RunKind.Flow, RunState.Running) with { StartedAt = T0 }] });

        var found = await _store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow, EndedAfter = T0.AddMinutes(2) });
        var paged = await _store.QueryRunPageAsync(new RunQuery { Kind = RunKind.Flow, EndedAfter = T0.AddMinutes(2) });

        Assert.That(found.Select(r => r.Name).Order(), Is.EqualTo(new[] { "after", "at" }));
        Assert.That(paged.Runs.Select(r => r.Name).Order(), Is.EqualTo(new[] { "after", "at" }));
    }

    [Test]
    public async Task PrunedRun_TakesItsNotificationsWithIt()
    {
        var store = (INotificationStore)_store;
        var old = Run("old", RunKind.Flow, RunState.Failed) with { StartedAt = T0, EndedAt = T0.AddMinutes(1) };
        var kept = Run("kept", RunKind.Flow, RunState.Failed) with { StartedAt = T0, EndedAt = T0.AddDays(2) };
        await _store.WriteAsync(new RunWriteBatch { Runs = [old, kept] });
        await store.TryClaimAsync(Notification("old", old.Id));
        await store.TryClaimAsync(Notification("kept", kept.Id));

        await _store.PruneAsync(new PruneRequest { EndedBefore = T0.AddDays(1) });

        Assert.That(await store.GetNotificationsAsync(old.Id), Is.Empty);
        Assert.That(await store.GetNotificationsAsync(kept.Id), Has.Count.EqualTo(1));
        Assert.That(await store.TryClaimAsync(Notification("old", old.Id)), Is.True, "its event key is free again");
    }

    private static NotificationRecord Notification(string eventKey, Guid? runId) => new()
    {
        Id = Guid.CreateVersion7(),
        EventKey = eventKey,
        IncidentKey = "rule|voter-sync|IOException",
        Rule = "failures",
        Channel = "ops",
        Event = "Failed",
        RunId = runId,
        Flow = "voter-sync",
        Deployment = "voter-sync-nightly",
        CreatedAt = T0,
    };
}

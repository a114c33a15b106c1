using Flows.Stores.Sql;

namespace Flows.Stores.Tests;

/// <summary>Notifications on the durable stores: those of a process that is gone are taken over, those of a live one never.</summary>
public abstract partial class SqlRunStoreConformanceTests
{
    [Test]
    public async Task PendingNotificationsOfAStoreThatIsGone_AreTakenOver_ThoseOfALiveStoreAreNot()
    {
        var gone = (SqlRunStore)await ReopenAsync();
        var live = (SqlRunStore)await ReopenAsync();
        var taker = (SqlRunStore)await ReopenAsync();
        await Task.WhenAll(gone.OpenAsync().AsTask(), live.OpenAsync().AsTask(), taker.OpenAsync().AsTask());
        NotificationRecord Claimed(string key, Guid owner) => new()
        {
            Id = Guid.CreateVersion7(), EventKey = key, IncidentKey = "i", Rule = "r", Channel = "ops", Event = "Failed", Flow = "f",
            CreatedAt = new DateTimeOffset(2030, 1, 1, 6, 0, 0, TimeSpan.Zero), OwnerId = owner,
        };
        var (abandoned, sending) = (Claimed("abandoned", gone.OwnerId), Claimed("sending", live.OwnerId));
        await gone.TryClaimAsync(abandoned);
        await live.TryClaimAsync(sending);
        await gone.DisposeAsync();

        var taken = await taker.TakeOverAbandonedAsync(taker.OwnerId, 10);
        var again = await live.TakeOverAbandonedAsync(live.OwnerId, 10);

        Assert.That(taken.Select(n => (n.Id, n.OwnerId)), Is.EqualTo(new[] { (abandoned.Id, (Guid?)taker.OwnerId) }), "the gone store's, not the live one's");
        Assert.That(again, Is.Empty, "taken over once: the taker is alive");
        Assert.That((await taker.GetLatestOfIncidentAsync("i"))!.OwnerId, Is.EqualTo(live.OwnerId), "the live store's record is untouched");
    }
}

using Flows.Runs;
using Flows.Stores;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>The count a notification is sent with: every event grouped into it before it goes out, by any process.</summary>
public sealed class GroupedCountTests
{
    [Test]
    public async Task FailuresGroupedByAnotherProcessWhileTheNotificationIsRetried_AreCountedInTheMessageSent()
    {
        // Two processes on one store: the sender claims the first failure, its channel refuses the first attempt; the
        // other process groups the next two failures into it before the retry.
        var store = new InMemoryRunStore();
        static void Configure(NotificationsOptions o)
        {
            o.Notify(n => n.When(RunEvent.AnyFailure).GroupFor(TimeSpan.FromHours(1)).To("ops"));
            o.DeliveryBackoff = TimeSpan.FromSeconds(10);
        }

        var sender = new ProcessorHarness(Configure, store, null, "ops");
        var grouper = new ProcessorHarness(Configure, store, sender.Time, "ops");
        sender["ops"].FailuresLeft = 1;
        var first = await sender.EndedAsync("load", RunState.Failed, deployment: "nightly-load");
        await sender.TickAsync();

        sender.Time.Advance(TimeSpan.FromSeconds(5));
        await sender.EndedAsync("load", RunState.Failed, deployment: "nightly-load");
        await sender.EndedAsync("load", RunState.Crashed, deployment: "nightly-load");
        await grouper.TickAsync();
        sender.Time.Advance(TimeSpan.FromSeconds(5));
        await sender.Processor.DeliverDueAsync(CancellationToken.None);

        Assert.That(sender["ops"].Received.Select(m => (m.Event, m.Count)), Is.EqualTo(new[] { (RunEvent.Failed, 3) }), "sent once, with the failures counted meanwhile");
        Assert.That(grouper["ops"].Received, Is.Empty);
        var record = (await ((INotificationStore)store).GetNotificationsAsync(first.Id)).Single();
        Assert.That((record.Status, record.Attempts, record.Count), Is.EqualTo((NotificationStatus.Sent, 2, 3)), "recording the attempts kept the count");
    }
}

using Flows.Runs;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>Deliveries when a channel hangs or the run store cannot record what was sent.</summary>
public sealed class DeliveryResilienceTests
{
    [Test]
    public async Task AChannelThatHangs_HoldsUpNoOtherChannel()
    {
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.Failed).To("slack", "mail")), channels: ["slack", "mail"]);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h["slack"].BeforeSend = () => release.Task;
        var run = await h.EndedAsync("load", RunState.Failed);

        var tick = h.TickAsync();
        await Eventually.Until(() => !h["mail"].Received.IsEmpty, "the mail goes while the webhook hangs");
        Assert.That(tick.IsCompleted, Is.False);
        release.SetResult();
        await tick;

        Assert.That((h["slack"].Received.Single().RunId, h["mail"].Received.Single().RunId), Is.EqualTo(((Guid?)run.Id, (Guid?)run.Id)));
        Assert.That((await h.RecordsAsync(run)).Select(r => r.Status), Is.EqualTo(new[] { NotificationStatus.Sent, NotificationStatus.Sent }));
    }

    [Test]
    public async Task ANotificationSentWhileTheStoreCannotRecordIt_IsRecordedLater_AndNotSentAgain()
    {
        using var folder = TempFolder.Create();
        var path = folder.File("flows.db");
        await using var store = new SqliteRunStore(path);
        var h = new ProcessorHarness(o => o.Notify(n => n.When(RunEvent.Failed).To("ops")), store, channels: "ops");
        var run = await h.EndedAsync("load", RunState.Failed);

        // The record is claimed, then, while the message is out, its table goes away: the outcome cannot be written.
        h["ops"].BeforeSend = () => RenameAsync(path, "flows_notifications", "flows_notifications_away");
        Assert.That(async () => await h.TickAsync(), Throws.Exception.Message.Contains("flows_notifications"));
        h["ops"].BeforeSend = null;
        Assert.That(h["ops"].Received, Has.Count.EqualTo(1));

        // Ticks before the poll interval is up try nothing; once it is and the store is back, the outcome is written.
        await h.Processor.DeliverDueAsync(CancellationToken.None);
        await RenameAsync(path, "flows_notifications_away", "flows_notifications");
        h.Time.Advance(h.Options.PollInterval);
        await h.TickAsync();

        Assert.That(h["ops"].Received, Has.Count.EqualTo(1), "sent once: the record's write is what was retried");
        var record = (await h.RecordsAsync(run)).Single();
        Assert.That((record.Status, record.Attempts), Is.EqualTo((NotificationStatus.Sent, 1)));
        Assert.That(h.Processor.PendingCount, Is.Zero);
    }

    private static async Task RenameAsync(string path, string from, string to)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {from} RENAME TO {to}";
        await command.ExecuteNonQueryAsync();
    }
}

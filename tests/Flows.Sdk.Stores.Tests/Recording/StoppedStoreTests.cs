using Flows.Logging;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests.Recording;

/// <summary>
/// A run still going when its engine has shut down and its store refuses writes (closed): what it records is dropped and reported
/// to the other loggers, and reporting that drop is not itself stored (it would fail the same way, over and over).
/// </summary>
public sealed class StoppedStoreTests
{
    [Test]
    public async Task ARunLoggingAfterItsStoreClosed_EndsAndReportsTheDroppedLine_WithoutStoringTheReport()
    {
        using var folder = TestStores.NewFolder();
        await using var sqlite = new SqliteRunStore(folder.File("flows.db"));
        var store = new FaultyStore(sqlite);
        var (factory, log) = CapturedLog.Factory();
        using var _ = factory;
        var engine = new FlowEngine(new FlowEngineOptions { Store = store, LoggerFactory = factory });
        var late = new LateTalker();
        Task call;
        using (engine.Use())
        {
            call = late.Talk();
        }

        await Eventually.Until(() => late.Arrived, "the flow started");
        await engine.DisposeAsync();
        store.Refuses = _ => true; // as a closed PostgreSQL store refuses every write

        late.Go();
        try
        {
            await call;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // The run's own end could not be recorded either; what matters is that it ended and the process lives.
        }

        Assert.That(late.Said, Is.True);
        var dropped = log.Lines.Where(l => l.EventId == LogEventIds.StoreWriteDropped).ToList();
        Assert.That(dropped, Is.Not.Empty, "the dropped line is reported to the other loggers");
        Assert.That(dropped.Any(l => l.Message.Contains("log", StringComparison.OrdinalIgnoreCase)), Is.True, string.Join("\n", dropped.Select(l => l.Message)));
    }

    internal sealed class LateTalker
    {
        private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Arrived { get; private set; }

        public bool Said { get; private set; }

        public void Go() => _go.TrySetResult();

        [Flow("store-late-talk")]
        public async Task Talk()
        {
            Arrived = true;
            await _go.Task;
            Flow.Logger.LogInformation("A line after the store closed");
            Said = true;
        }
    }
}

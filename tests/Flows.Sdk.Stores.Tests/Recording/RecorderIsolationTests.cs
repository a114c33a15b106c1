using System.Diagnostics.Metrics;
using Flows.Stores;
using Flows.Stores.Sqlite;
using Flows.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Tests.Recording;

/// <summary>
/// A write the store cannot take costs its own run at most: every other run's writes in the same batch land, and the
/// flows that did nothing wrong do not throw.
/// </summary>
public sealed class RecorderIsolationTests
{
    private const int Count = 12;
    private const int Bad = 5;

    [Test]
    public async Task ALogLineWithNul_OnPostgreSql_IsStoredMarked_AndNoFlowThrows()
    {
        var schema = TestStores.NewSchema();
        try
        {
            await using var postgres = TestStores.Postgres(schema);

            var failures = await TalkInOneBatchAsync(postgres, "ab\0cd");

            Assert.That(failures, Is.Empty, "no flow threw");
            var bad = await AssertEveryTalkLandedAsync(postgres, "ab\0cd");
            Assert.That(Talkers.LinesOf(bad), Is.EqualTo(new[] { Talkers.LineOf("ab\u2400cd") }), "the NUL is stored as a visible marker");
            Assert.That(bad.Logs.Single(l => l.Message == Talkers.LineOf("ab\u2400cd")).Properties!["Line"], Is.EqualTo("ab\0cd"), "a property value is JSON, where a NUL is escaped and kept");
            var warning = bad.Logs.Single(l => l.Category == "Flows.Store");
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Message, Does.Contain("NUL").And.Contain("log line").And.Contain("\u2400"));
            Assert.That(warning.RunId, Is.EqualTo(bad.TaskRuns.Single().Id), "the warning is stored with the run whose line it was");
        }
        finally
        {
            await TestStores.DropSchemaAsync(schema);
        }
    }

    [Test]
    public async Task ALogLineThePostgreSqlServerRefuses_IsDroppedAlone_AndOnlyItsFlowThrows()
    {
        var schema = TestStores.NewSchema();
        try
        {
            await using var postgres = TestStores.Postgres(schema);
            await postgres.OpenAsync();

            // The server itself refuses the row, inside the binary COPY that carries the batch's log lines.
            await TestStores.ScalarAsync($"ALTER TABLE \"{schema}\".flows_logs ADD CONSTRAINT flows_test_no_poison CHECK (message NOT LIKE '%poison%')");

            var failures = await TalkInOneBatchAsync(postgres, "poison");

            Assert.That(failures.Keys, Is.EqualTo(new[] { Bad }), "only the flow whose write was refused throws");
            Assert.That(failures[Bad].Message, Does.Contain("log line").And.Contain("refused"));
            var bad = await AssertEveryTalkLandedAsync(postgres, "poison");
            Assert.That(Talkers.LinesOf(bad), Is.Empty, "the refused line alone is missing");
        }
        finally
        {
            await TestStores.DropSchemaAsync(schema);
        }
    }

    [Test]
    public async Task AWriteTheStoreRefuses_IsDroppedAlone_AndOnlyItsFlowThrows()
    {
        using var folder = TestStores.NewFolder();
        await using var sqlite = new SqliteRunStore(folder.File("flows.db"));
        var (loggerFactory, log) = CapturedLog.Factory();
        using var _ = loggerFactory;
        using var dropped = new DroppedWrites();

        var failures = await TalkInOneBatchAsync(
            sqlite,
            "poison",
            s => s.Refuses = b => b.Logs.Any(l => l.Message.Contains("poison", StringComparison.Ordinal)),
            o => (o.LoggerFactory, o.MeterFactory) = (loggerFactory, dropped.Factory));

        Assert.That(failures.Keys, Is.EqualTo(new[] { Bad }), "only the flow whose write was refused throws");
        Assert.That(failures[Bad], Is.TypeOf<RunStoreException>());
        Assert.That(failures[Bad].Message, Does.Contain("log line").And.Contain("refused"));
        var bad = await AssertEveryTalkLandedAsync(sqlite, "poison");
        Assert.That(Talkers.LinesOf(bad), Is.Empty, "the refused line alone is missing");
        var errors = log.Lines.Where(l => l.Category == "Flows.Runtime" && l.Level == LogLevel.Error).ToList();
        Assert.That(errors, Has.Count.EqualTo(1), "the dropped write is logged once");
        Assert.That(errors[0].Message, Does.Contain("log line").And.Contain(bad.TaskRuns.Single().Id.ToString()).And.Not.Contain("poison"));
        Assert.That(dropped.Count, Is.EqualTo(1), "and counted");
    }

    [Test]
    public async Task AStoreThatRefusesEveryWrite_IsGivenUpOnAfterABoundedNumberOfTries_AndNothingHangs()
    {
        using var folder = TestStores.NewFolder();
        await using var sqlite = new SqliteRunStore(folder.File("flows.db"));
        var store = new FaultyStore(sqlite) { Refuses = _ => true };
        var (loggerFactory, log) = CapturedLog.Factory();
        using var _ = loggerFactory;
        using var dropped = new DroppedWrites();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, LoggerFactory = loggerFactory, MeterFactory = dropped.Factory });
        using var scope = engine.Use();

        store.Close();
        var calls = Task.WhenAll(Enumerable.Range(0, 300).Select(i => StoreJobs.Count(Line(i))));
        await Eventually.Within(calls);
        store.Open();
        await Eventually.Within(engine.FlushAsync());

        Assert.That(dropped.Count, Is.GreaterThanOrEqualTo(600), "every write was dropped: 300 task runs, each a record with its transitions and a line");
        Assert.That(store.Attempts, Is.LessThan(dropped.Count / 2), "far fewer tries than writes: the store was found to refuse everything");
        Assert.That(log.Lines.Where(l => l.EventId == 114).Select(l => l.Level), Is.Not.Empty.And.All.EqualTo(LogLevel.Error));
    }

    /// <summary>
    /// Starts <see cref="Count"/> flows on <paramref name="real"/> behind a <see cref="FaultyStore"/>; holds the
    /// engine's writer on a write of its own while every flow logs its line (the one at <see cref="Bad"/> logs
    /// <paramref name="badLine"/>), so those lines reach the store in one batch; returns the exceptions flows threw, by index.
    /// </summary>
    private static async Task<Dictionary<int, Exception>> TalkInOneBatchAsync(IRunStore real, string badLine, Action<FaultyStore>? arrange = null, Action<FlowEngineOptions>? configure = null)
    {
        var store = new FaultyStore(real);
        arrange?.Invoke(store);
        var options = new FlowEngineOptions { Store = store };
        configure?.Invoke(options);
        var failures = new Dictionary<int, Exception>();
        await using (var engine = new FlowEngine(options))
        using (engine.Use())
        {
            var talkers = new Talkers();
            var calls = Enumerable.Range(0, Count).Select(i => talkers.Talk(i == Bad ? badLine : Line(i))).ToList();
            await Eventually.Until(() => talkers.Arrived == Count, "every flow started");

            store.Close();
            var held = StoreJobs.Count("held");
            await Eventually.Until(() => store.BlockedWrites > 0, "the writer waits on the store");
            talkers.Go();
            await Eventually.Until(() => talkers.Said == Count, "every flow logged its line");
            store.Open();

            for (var i = 0; i < calls.Count; i++)
            {
                try
                {
                    await Eventually.Within(calls[i]);
                }
                catch (Exception ex) when (ex is not TimeoutException)
                {
                    failures[i] = ex;
                }
            }

            await held;
            await engine.FlushAsync();
        }

        return failures;
    }

    /// <summary>Checks that every flow but the bad one is recorded in full; returns the details of the bad one.</summary>
    private static async Task<RunDetails> AssertEveryTalkLandedAsync(IRunStore store, string badLine)
    {
        var flows = await Talkers.AssertAllCompletedAsync(store);
        Assert.That(flows, Has.Count.EqualTo(Count));
        RunDetails? bad = null;
        foreach (var details in flows)
        {
            if (details.Run.Parameters!.Contains(Escaped(badLine), StringComparison.Ordinal))
            {
                bad = details;
                continue;
            }

            var line = System.Text.Json.JsonDocument.Parse(details.Run.Parameters).RootElement.GetProperty("line").GetString()!;
            Assert.That(Talkers.LinesOf(details), Is.EqualTo(new[] { Talkers.LineOf(line) }), "every other flow's line is stored");
        }

        Assert.That(bad, Is.Not.Null, "the bad flow is recorded");
        return bad!;
    }

    private static string Line(int i) => "line " + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Escaped(string line) => System.Text.Json.JsonSerializer.Serialize(line)[1..^1];

    /// <summary>Sums <see cref="FlowsTelemetry.DroppedWrites"/> on a meter factory of the test's own.</summary>
    private sealed class DroppedWrites : IDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private long _count;

        public DroppedWrites()
        {
            Factory = _services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, Factory) && instrument.Name == FlowsTelemetry.DroppedWrites)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public IMeterFactory Factory { get; }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose()
        {
            _listener.Dispose();
            _services.Dispose();
        }
    }
}

using System.Text.Json;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Flows.Stores.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests.Engine;

/// <summary>
/// A flow run in progress in one process is cancelled by a request another process makes through the store (what
/// <c>flows cancel</c> does): two store instances on one database are the two processes' views. The engine asks the store
/// once a second (its clock is a fake one here, advanced by the test); the run ends Cancelled with the reason.
/// </summary>
public sealed class CancelRequestTests
{
    private TempFolder _folder = null!;
    private string? _schema;

    [SetUp]
    public void CreateFolder() => _folder = TestStores.NewFolder();

    [TearDown]
    public async Task CleanUp()
    {
        _folder.Dispose();
        if (_schema is not null)
        {
            await TestStores.DropSchemaAsync(_schema);
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public Task ARunInProgress_IsCancelledByARequestFromAnotherStoreInstance_OverSqlite(CancellationToken cancellationToken)
    {
        var path = _folder.File("flows.db");
        return CancelledFromElsewhereAsync(time => new SqliteRunStore(new SqliteRunStoreOptions { Path = path, TimeProvider = time }), cancellationToken);
    }

    [Test]
    [CancelAfter(60_000)]
    public Task ARunInProgress_IsCancelledByARequestFromAnotherStoreInstance_OverPostgreSql(CancellationToken cancellationToken)
    {
        _schema = TestStores.NewSchema();
        return CancelledFromElsewhereAsync(time => TestStores.Postgres(_schema, time), cancellationToken);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task OnTheInMemoryStore_ARequestCancelsTheRunAtOnce(CancellationToken cancellationToken)
    {
        var store = new InMemoryRunStore();
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, TimeProvider = new FakeTimeProvider(DateTimeOffset.UtcNow) });
        var key = Guid.NewGuid().ToString();
        var run = engine.RunAsync("store-cancellable", Parameters(key), cancellationToken);
        var runId = await Eventually.Within(CancellableJobs.Started(key));

        Assert.That(await store.RequestCancelAsync(runId, "stop it"), Is.True);

        var record = await Eventually.Within(run);
        Assert.That((record.State, record.Error), Is.EqualTo((RunState.Cancelled, (string?)"Cancel requested: stop it")));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ASecretInTheReason_IsMaskedInTheRunsErrorAndTransition(CancellationToken cancellationToken)
    {
        const string secret = "s3cr3t-value-9d2";
        var store = new InMemoryRunStore();
        var options = new FlowEngineOptions { Store = store };
        options.Secrets.Providers.Add(new InlineSecretProvider([new("store-cancel-key", secret)]));
        await using var engine = new FlowEngine(options);
        var key = Guid.NewGuid().ToString();
        var run = engine.RunAsync("store-cancellable-with-secret", Parameters(key), cancellationToken);
        var runId = await Eventually.Within(CancellableJobs.Started(key));

        await store.RequestCancelAsync(runId, $"key {secret} leaked, stop");

        var record = await Eventually.Within(run);
        var transitions = await store.GetTransitionsAsync(runId, cancellationToken);
        Assert.That((record.State, record.Error), Is.EqualTo((RunState.Cancelled, (string?)"Cancel requested: key *** leaked, stop")));
        Assert.That(transitions.Select(t => t.Message ?? string.Empty), Has.None.Contains(secret));
        Assert.That(transitions[^1].Message, Is.EqualTo(record.Error));
    }

    private static async Task CancelledFromElsewhereAsync(Func<TimeProvider, SqlRunStore> open, CancellationToken cancellationToken)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var running = open(TimeProvider.System);
        await using var other = open(TimeProvider.System);
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = running, TimeProvider = time });
        var key = Guid.NewGuid().ToString();
        var run = engine.RunAsync("store-cancellable", Parameters(key), cancellationToken);
        var runId = await Eventually.Within(CancellableJobs.Started(key));

        Assert.That(await other.RequestCancelAsync(runId, "asked by ops", cancellationToken), Is.True);
        await engine.FlushAsync(cancellationToken);
        Assert.That(run.IsCompleted, Is.False, "the engine acts on a request when it next asks the store, once a second");

        // Each second the engine asks; the fake clock's second may pass before the request is read, so keep it going.
        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return run.IsCompleted;
            },
            "the run ended after the request");

        var record = await run;
        Assert.That((record.State, record.Error), Is.EqualTo((RunState.Cancelled, (string?)"Cancel requested: asked by ops")));
        var stored = (await other.GetRunAsync(runId, cancellationToken))!;
        var transitions = await other.GetTransitionsAsync(runId, cancellationToken);
        Assert.That((stored.State, stored.Error), Is.EqualTo((RunState.Cancelled, (string?)"Cancel requested: asked by ops")), "the other process reads the end");
        Assert.That((transitions[^1].State, transitions[^1].Message), Is.EqualTo((RunState.Cancelled, (string?)"Cancel requested: asked by ops")));
        Assert.That(await other.RequestCancelAsync(runId, "again", cancellationToken), Is.False, "an ended run takes no request");
    }

    private static Dictionary<string, JsonElement> Parameters(string key) => new() { ["key"] = JsonSerializer.SerializeToElement(key) };
}

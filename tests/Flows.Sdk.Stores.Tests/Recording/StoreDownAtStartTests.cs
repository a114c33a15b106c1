using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Npgsql;

namespace Flows.Stores.Tests.Recording;

/// <summary>
/// A PostgreSQL server that is not up yet when the process starts (the store's first open fails) is an outage like
/// one mid-flow: flows wait for it instead of failing, and nothing they record is lost.
/// </summary>
public sealed class StoreDownAtStartTests
{
    private string _schema = null!;
    private int _port;
    private PostgreSqlRunStore _store = null!;
    private FlowEngine _engine = null!;
    private CapturedLog _log = null!;
    private TcpForwarder? _up;

    [SetUp]
    public void StartWithTheServerDown()
    {
        _schema = TestStores.NewSchema();
        _port = TcpForwarder.FreePort();
        var server = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString);
        _store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = "127.0.0.1", Port = _port }.ConnectionString,
            Schema = _schema,
        });
        var (loggerFactory, log) = CapturedLog.Factory();
        _log = log;
        _engine = new FlowEngine(new FlowEngineOptions { Store = _store, LoggerFactory = loggerFactory });
    }

    [TearDown]
    public async Task Stop()
    {
        BringTheServerUp();
        await _engine.DisposeAsync();
        await _store.DisposeAsync();
        if (_up is not null)
        {
            await _up.DisposeAsync();
            _up = null;
        }

        await TestStores.DropSchemaAsync(_schema);
    }

    [Test]
    public async Task AFlowStartedWhileTheServerIsNotUpYet_WaitsForIt_AndIsRecorded()
    {
        using var scope = _engine.Use();
        var talkers = new Talkers();
        talkers.Go();
        var call = talkers.Talk("before the server");

        // 101 StoreStillUnreachable: logged before each new attempt, so two mean the first refusal is a retry behind us.
        await Eventually.Until(() => _log.Lines.Count(l => l.EventId == 101) >= 2, "the writer tried the store again twice");
        Assert.That(call.IsCompleted, Is.False, "the flow's start waits for the store instead of failing");
        BringTheServerUp();

        await call.WaitAsync(TimeSpan.FromSeconds(60));
        var flow = (await Talkers.AssertAllCompletedAsync(_store)).Single();
        Assert.That(Talkers.LinesOf(flow), Is.EqualTo(new[] { Talkers.LineOf("before the server") }));
    }

    [Test]
    public async Task ACachedTaskWhileTheStoreCannotBeReached_RunsAsACacheMiss_InsteadOfFailing()
    {
        using var scope = _engine.Use();
        var calls = StoreJobs.Calls;

        var result = StoreJobs.Expensive("unreachable-" + _schema);

        Assert.That(result, Is.EqualTo("unreachable-" + _schema + "!"));
        Assert.That(StoreJobs.Calls, Is.EqualTo(calls + 1), "the task ran, as on a cache miss");
        BringTheServerUp();
        await _engine.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var run = (await _store.QueryRunsAsync(new RunQuery { Name = "store-expensive" })).Single();
        Assert.That(run.State, Is.EqualTo(RunState.Completed));
    }

    private void BringTheServerUp()
    {
        if (_up is null)
        {
            var server = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString);
            _up = TcpForwarder.Start(_port, server.Host!, server.Port);
        }
    }
}

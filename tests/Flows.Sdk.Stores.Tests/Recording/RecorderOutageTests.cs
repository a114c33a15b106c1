using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests.Recording;

/// <summary>
/// A store that cannot be reached (every write refused with a transient error) is waited for, on the engine's clock,
/// for the outage tolerance; nothing recorded meanwhile is lost. (The same against a real PostgreSQL server that goes
/// down: PostgreSqlOutageTests.)
/// </summary>
public sealed class RecorderOutageTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private TempFolder _folder = null!;
    private SqliteRunStore _sqlite = null!;
    private FaultyStore _store = null!;
    private FakeTimeProvider _time = null!;
    private FlowEngine? _engine;

    [SetUp]
    public void CreateStore()
    {
        _folder = TestStores.NewFolder();
        _sqlite = new SqliteRunStore(_folder.File("flows.db"));
        _store = new FaultyStore(_sqlite);
        _time = new FakeTimeProvider(T0);
    }

    [TearDown]
    public async Task DeleteStore()
    {
        if (_engine is not null)
        {
            // Its writer may wait on the fake clock between attempts: stopping it needs the store up and the clock moving.
            _store.IsDown = false;
            await Eventually.AdvanceUntilDone(_time, _engine.DisposeAsync().AsTask(), TimeSpan.FromSeconds(1));
        }

        await _sqlite.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public async Task AnOutageShorterThanTheTolerance_IsRiddenOut_TheFlowWaits_AndNothingIsLost()
    {
        var engine = Engine();
        using var scope = engine.Use();
        var talkers = new Talkers();
        var call = talkers.Talk("through the outage");
        await Eventually.Until(() => talkers.Arrived == 1, "the flow started");

        _store.IsDown = true;
        talkers.Go();
        await Eventually.Until(() => talkers.Said == 1, "the flow logged its line");
        await Eventually.AdvanceInSteps(_time, TimeSpan.FromMinutes(4), TimeSpan.FromSeconds(5));

        Assert.That(call.IsCompleted, Is.False, "four minutes into the outage the flow's end still waits for the store");
        Assert.That(_store.Attempts, Is.GreaterThan(2), "the writer kept trying");
        _store.IsDown = false;
        await Eventually.AdvanceUntilDone(_time, call, TimeSpan.FromSeconds(1));
        await AssertTalkRecordedAsync("through the outage");
    }

    [Test]
    public async Task AnOutageLongerThanTheTolerance_FailsWriteThroughsSayingForHowLong_AndKeepsTheWritesUntilTheStoreIsBack()
    {
        var engine = Engine(new Dictionary<string, string?> { ["Flows:Store:OutageToleranceSeconds"] = "60" });
        using var scope = engine.Use();
        var talkers = new Talkers();
        var call = talkers.Talk("past the tolerance");
        await Eventually.Until(() => talkers.Arrived == 1, "the flow started");

        _store.IsDown = true;
        talkers.Go();
        var error = Assert.ThrowsAsync<RunStoreException>(() => Eventually.AdvanceUntilDone(_time, call, TimeSpan.FromSeconds(5)));
        Assert.That(error!.Message, Does.Contain("60 s").And.Contain("Flows:Store:OutageToleranceSeconds").And.Contain("kept"));
        Assert.That(_time.GetUtcNow() - T0, Is.InRange(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(4)), "it gave up once the configured tolerance was spent, not the default's");
        Assert.ThrowsAsync<RunStoreException>(() => engine.FlushAsync(), "while the store stays down, write-throughs fail at once");

        _store.IsDown = false;
        await FlushOnceTheStoreIsBackAsync(engine);
        await AssertTalkRecordedAsync("past the tolerance");
    }

    [Test]
    public async Task StoppingTheEngineDuringAnOutage_WaitsUpToTheTolerance_ThenLogsWhatIsLost()
    {
        var (loggerFactory, log) = CapturedLog.Factory();
        using var _ = loggerFactory;
        var engine = new FlowEngine(new FlowEngineOptions { Store = _store, TimeProvider = _time, LoggerFactory = loggerFactory, StoreOutageTolerance = TimeSpan.FromSeconds(30) });
        using (engine.Use())
        {
            _store.IsDown = true;
            await StoreJobs.Count("lost");
        }

        await Eventually.AdvanceUntilDone(_time, engine.DisposeAsync().AsTask(), TimeSpan.FromSeconds(1));

        Assert.That(_time.GetUtcNow() - T0, Is.InRange(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)), "it waited for the store as long as the tolerance, not the default's");
        var lost = log.Lines.Single(l => l.EventId == 113);
        Assert.That(lost.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(lost.Message, Does.Contain("are lost"));
    }

    [Test]
    public void AnOutageToleranceThatIsNotANumberOfSeconds_FailsNamingTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Engine(new Dictionary<string, string?> { ["Flows:Store:OutageToleranceSeconds"] = "soon" }));

        Assert.That(error!.Message, Does.Contain("Flows:Store:OutageToleranceSeconds").And.Contain("soon"));
    }

    private FlowEngine Engine(Dictionary<string, string?>? settings = null) => _engine = new(new FlowEngineOptions
    {
        Store = _store,
        TimeProvider = _time,
        Configuration = settings is null ? null : new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
    });

    /// <summary>Write-throughs fail until the writer's next attempt finds the store back: flush, as a caller would, until one succeeds.</summary>
    private async Task FlushOnceTheStoreIsBackAsync(FlowEngine engine)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                await Eventually.AdvanceUntilDone(_time, engine.FlushAsync(), TimeSpan.FromSeconds(1));
                return;
            }
            catch (RunStoreException) when (tries < 1_000)
            {
                // A flush that fails at once moves no clock: move it, so the writer's next attempt comes.
                await Eventually.AdvanceInSteps(_time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            }
        }
    }

    /// <summary>The flow, its task run, their transitions and the line are all in the store.</summary>
    private async Task AssertTalkRecordedAsync(string line)
    {
        var flow = (await Talkers.AssertAllCompletedAsync(_sqlite)).Single();
        Assert.That(Talkers.LinesOf(flow), Is.EqualTo(new[] { Talkers.LineOf(line) }));
    }
}

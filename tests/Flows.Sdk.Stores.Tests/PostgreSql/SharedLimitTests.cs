using System.Threading.RateLimiting;
using Flows.Limits;
using Flows.Runs;
using Flows.Stores.PostgreSql;
using Flows.Stores.Tests.Fixtures;
using Flows.Stores.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>
/// Tag limits, rate limits and flows' <c>MaxConcurrentRuns</c> shared by every engine on one PostgreSQL schema: each
/// engine has a store instance of its own, so a store owner of its own, as a replica of an application has.
/// </summary>
public sealed class SharedLimitTests : PostgreSqlSchemaTests
{
    private const string SlotKey = "tag:store-shared-api";

    [Test]
    public async Task ATagLimitOf3_SharedBy3Engines_NeverAdmitsMoreThan3RunsAtOnce()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 3, ("Flows:Limits:store-shared-api", "3"));
        var calls = Enumerable.Range(0, 9).Select(i => replicas.Run(i % 3, () => jobs.HoldSlot(i, CancellationToken.None))).ToList();

        await Eventually.Until(() => jobs.Inside == 3, "three runs inside");
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-slot", RunState.Pending) == 6, "the other six recorded as waiting");
        Assert.That(jobs.Started, Is.EqualTo(3), "the six others wait in every engine");
        Assert.That(await LeasesAsync(), Is.EqualTo(3));
        Assert.That(await ScalarAsync<long>($"SELECT count(DISTINCT owner_id) FROM \"{Schema}\".flows_limit_leases"), Is.GreaterThan(1), "slots held by several engines");

        for (var ended = 1; ended <= 9; ended++)
        {
            jobs.Proceed.Release();
            var expected = Math.Min(9, 3 + ended);
            await Eventually.Until(() => jobs.Started == expected, $"run {expected} admitted after {ended} ended");
            Assert.That(await LeasesAsync(), Is.LessThanOrEqualTo(3), "leases in the store");
        }

        Assert.That(await Eventually.Within(Task.WhenAll(calls)), Is.EquivalentTo(Enumerable.Range(0, 9)));
        Assert.That(jobs.Most, Is.EqualTo(3), "the most runs inside at once, counted by the runs themselves");
        await Eventually.UntilAsync(async () => await LeasesAsync() == 0, "every slot given back");
        foreach (var engine in replicas.Engines)
        {
            await Eventually.Within(engine.FlushAsync());
        }

        Assert.That(
            await ScalarAsync<long>(
                $"SELECT count(DISTINCT t.run_id) FROM \"{Schema}\".flows_transitions t JOIN \"{Schema}\".flows_runs r ON r.id = t.run_id "
                + $"WHERE r.name = 'store-shared-slot' AND t.state = {(int)RunState.Pending} AND t.message LIKE 'Waiting for %'"),
            Is.LessThanOrEqualTo(6),
            "the three runs admitted at once recorded no wait (only the six that were seen waiting above may have)");
    }

    [Test]
    public async Task TheSlotsOfAStoreWhoseOwnerIsFoundGone_ComeBack_ToTheOthers()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 2, ("Flows:Limits:store-shared-api", "2"));
        var held = new[] { replicas.Run(0, () => jobs.HoldSlot(1, CancellationToken.None)), replicas.Run(0, () => jobs.HoldSlot(2, CancellationToken.None)) };
        await Eventually.Until(() => jobs.Inside == 2, "the first store holds both slots");
        var waiting = replicas.Run(1, () => jobs.HoldSlot(3, CancellationToken.None));
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-slot", RunState.Pending) == 1, "the second store's run waits");

        // What a peer's sweep does to an owner whose heartbeat lapsed (a replica killed or cut off): its row goes. The
        // first store is alive here, and its next heartbeat or write would register it again, as a paused replica that
        // wakes does (its slots then rightly stay held); a killed one never comes back, so its row is kept gone until
        // the waiting run is admitted.
        await Eventually.UntilAsync(
            async () =>
            {
                await ExecuteAsync($"DELETE FROM \"{Schema}\".flows_owners WHERE id = '{replicas.Stores[0].OwnerId}'");
                return jobs.Started == 3;
            },
            "the waiting run admitted to a slot of the gone owner");
        Assert.That(
            await ScalarAsync<long>($"SELECT count(*) FROM \"{Schema}\".flows_limit_leases WHERE owner_id = '{replicas.Stores[0].OwnerId}'"),
            Is.Zero,
            "the gone owner's leases were cleaned up");
        jobs.Proceed.Release(3);
        await Eventually.Within(Task.WhenAll([.. held, waiting]));
    }

    [Test]
    public async Task ARateLimit_IsCountedAcrossEngines_AndItsWaitersAreCancelledByTheirToken()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 2, ("Flows:RateLimits:store-shared-rated", "3/1h"));
        using var cancel = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 6).Select(i => replicas.Run(i % 2, () => Task.Run(() => jobs.Spend(i, cancel.Token)))).ToList();

        await Eventually.Until(() => calls.Count(c => c.IsCompletedSuccessfully) == 3, "three permits of the hour spent");
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-rate", RunState.Pending) == 3, "the other three wait for the next hour");
        Assert.That(jobs.Started, Is.EqualTo(3), "three starts in the window across both engines, not three in each");
        Assert.That(await ScalarAsync<int>($"SELECT spent FROM \"{Schema}\".flows_rate_windows"), Is.EqualTo(3));

        await cancel.CancelAsync();
        foreach (var call in calls.Where(c => !c.IsCompletedSuccessfully))
        {
            Assert.That(async () => await Eventually.Within(call), Throws.InstanceOf<OperationCanceledException>());
        }
    }

    [Test]
    public async Task ARateLimitsWindows_TurnForEveryEngine_AndAdmitTheirWaiters()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 2, ("Flows:RateLimits:store-shared-rated", "1/1s"));

        var calls = Enumerable.Range(0, 4).Select(i => replicas.Run(i % 2, () => Task.Run(() => jobs.Spend(i, CancellationToken.None)))).ToList();

        await Eventually.Within(Task.WhenAll(calls));
        var starts = jobs.Starts.Order().ToList();
        Assert.That(
            starts[^1] - starts[0],
            Is.GreaterThan(TimeSpan.FromSeconds(1.9)),
            "four starts at one per window across both engines take four windows, so more than two whole ones pass between the first and the last");
    }

    [Test]
    public async Task AFlowsMaxConcurrentRuns_IsSharedByEveryEngine()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 2);
        var first = replicas.Run(0, () => jobs.OneAtATime(1, CancellationToken.None));
        await Eventually.Until(() => jobs.Inside == 1, "the first run inside");

        var second = replicas.Run(1, () => jobs.OneAtATime(2, CancellationToken.None));
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-flow", RunState.Pending) == 1, "the other engine's run waits");
        Assert.That(jobs.Started, Is.EqualTo(1));
        var other = replicas.Run(1, () => jobs.OneOrNone(3, CancellationToken.None));
        await Eventually.Until(() => jobs.Inside == 2, "another flow is limited on its own: its run is inside");
        Assert.That(
            async () => await replicas.Run(0, () => jobs.OneOrNone(4, CancellationToken.None)),
            Throws.InstanceOf<FlowRunRejectedException>(),
            "Skip: a run of the other engine holds the slot");

        jobs.Proceed.Release(2);
        await Eventually.Until(() => jobs.Started == 3, "the waiting run admitted once the first ended");
        jobs.Proceed.Release();
        Assert.That(await Eventually.Within(Task.WhenAll(first, second, other)), Is.EquivalentTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task ARunWaitingForASharedSlot_IsCancelledByItsToken_AndHoldsNothing()
    {
        var jobs = new SharedLimitJobs();
        await using var replicas = await Replicas.StartAsync(Schema, 2, ("Flows:Limits:store-shared-api", "1"));
        var holding = replicas.Run(0, () => jobs.HoldSlot(1, CancellationToken.None));
        await Eventually.Until(() => jobs.Inside == 1, "the slot held");
        using var cancel = new CancellationTokenSource();
        var waiting = replicas.Run(1, () => jobs.HoldSlot(2, cancel.Token));
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-slot", RunState.Pending) == 1, "the other run waits");

        await cancel.CancelAsync();

        Assert.That(async () => await Eventually.Within(waiting), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(jobs.Started, Is.EqualTo(1));
        Assert.That(await ScalarAsync<long>($"SELECT count(*) FROM \"{Schema}\".flows_limit_leases WHERE owner_id = '{replicas.Stores[1].OwnerId}'"), Is.Zero);
        jobs.Proceed.Release();
        await Eventually.Within(holding);
        await Eventually.UntilAsync(async () => await LeasesAsync() == 0, "the slot given back");
    }

    [Test]
    public async Task AnEngineOnPostgreSql_SharesItsLimits_UnlessItsScopeIsProcess()
    {
        await using var store = TestStores.Postgres(Schema);
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Limits:api"] = "2", ["Flows:RateLimits:api"] = "5/1s" }).Build();
        await using var shared = new FlowEngine(new FlowEngineOptions { Store = store, Configuration = settings });
        await using var local = new FlowEngine(new FlowEngineOptions { Store = store, Configuration = settings, LimitScope = LimitScope.Process });
        var configuredLocal = new ConfigurationBuilder().AddConfiguration(settings).AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:LimitScope"] = "process" }).Build();
        await using var configured = new FlowEngine(new FlowEngineOptions { Store = store, Configuration = configuredLocal });

        Assert.That(shared.Limits.Shared, Is.SameAs(store));
        Assert.That(shared.Limits.TagSlots("api")!.Shared, Is.InstanceOf<SharedSlotLimiter>());
        Assert.That(shared.Limits.TagRate("api")!.Shared, Is.InstanceOf<SharedWindowLimiter>());
        Assert.That(shared.Limits.TagSlots("api")!.Description, Does.Contain("across the processes on the run store"));
        foreach (var engine in new[] { local, configured })
        {
            Assert.That(engine.Limits.Shared, Is.Null);
            Assert.That(engine.Limits.TagSlots("api")!.Limiter, Is.InstanceOf<ConcurrencyLimiter>());
            Assert.That(engine.Limits.TagRate("api")!.Limiter, Is.InstanceOf<WindowRateLimiter>());
        }
    }

    [Test]
    public async Task AnEngineOnSqlite_CountsItsLimitsInTheProcess()
    {
        using var folder = TestStores.NewFolder();
        await using var store = new global::Flows.Stores.Sqlite.SqliteRunStore(folder.File("runs.db"));
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, Limits = { ["api"] = 2 }, RateLimits = { ["api"] = RateLimit.Parse("5/1s") } });

        Assert.That(store, Is.Not.InstanceOf<ISharedLimits>());
        Assert.That(engine.Limits.Shared, Is.Null);
        Assert.That(engine.Limits.TagSlots("api")!.Limiter, Is.InstanceOf<ConcurrencyLimiter>());
        Assert.That(engine.Limits.TagRate("api")!.Limiter, Is.InstanceOf<WindowRateLimiter>());
    }

    [Test]
    public async Task AHostConfiguredBySettingsAlone_SharesItsTagLimitWithTheOtherProcesses()
    {
        var jobs = new SharedLimitJobs();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Store:ConnectionString"] = TestStores.PostgresConnectionString,
            ["Flows:Store:Schema"] = Schema,
            ["Flows:Limits:store-shared-api"] = "1",
        });
        builder.Services.AddFlows().AddFlowsPostgreSqlStore();
        using var host = builder.Build();
        var hosted = host.Services.GetRequiredService<FlowEngine>();
        await using var replicas = await Replicas.StartAsync(Schema, 1, ("Flows:Limits:store-shared-api", "1"));

        Task<int> holding;
        using (hosted.Use())
        {
            holding = jobs.HoldSlot(1, CancellationToken.None);
        }

        await Eventually.Until(() => jobs.Inside == 1, "the host's run holds the slot");
        var waiting = replicas.Run(0, () => jobs.HoldSlot(2, CancellationToken.None));
        await Eventually.UntilAsync(async () => await RunsAsync("store-shared-slot", RunState.Pending) == 1, "the other engine's run waits for the host's slot");
        Assert.That(await LeasesAsync(), Is.EqualTo(1));

        jobs.Proceed.Release(2);
        await Eventually.Within(Task.WhenAll(holding, waiting));
        Assert.That(jobs.Most, Is.EqualTo(1));
    }

    [Test]
    public async Task WhileTheDatabaseIsAway_AHeldSlotsRunEnds_ANewRunWaits_AndBothCarryOnWhenItIsBack_WithoutTheSecretInAnyLine()
    {
        const string Password = "hunter2-never-logged";
        var jobs = new SharedLimitJobs();
        var port = TcpForwarder.FreePort();
        var target = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString);
        await using var database = new Switch(() => TcpForwarder.Start(port, target.Host!, target.Port));
        var through = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString) { Host = "127.0.0.1", Port = port, Password = Password, Pooling = true };
        var (logs, log) = CapturedLog.Factory();
        using var logging = logs;
        await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = through.ConnectionString, Schema = Schema });
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store, LoggerFactory = logs, Limits = { ["store-shared-api"] = 2 } });
        Task<int> held;
        using (engine.Use())
        {
            held = jobs.HoldSlot(1, CancellationToken.None);
        }

        await Eventually.Until(() => jobs.Inside == 1, "a slot held");
        Assert.That(await LeasesAsync(), Is.EqualTo(1));

        await database.OffAsync();
        jobs.Proceed.Release();
        Assert.That(await Eventually.Within(held), Is.EqualTo(1), "the run holding a slot ends although its slot cannot be given back now");
        Task<int> waiting;
        using (engine.Use())
        {
            waiting = jobs.HoldSlot(2, CancellationToken.None);
        }

        await Eventually.Until(() => log.Lines.Any(l => l.EventId == Logging.LogEventIds.SharedLimitStoreUnreachable), "the new run waiting out the outage");
        Assert.That(waiting.IsCompleted, Is.False, "a run that cannot reach the shared limit waits rather than failing");
        Assert.That(jobs.Started, Is.EqualTo(1));

        database.On();
        await Eventually.Until(() => jobs.Inside == 1 && jobs.Started == 2, "the waiting run admitted once the database is back");
        await Eventually.UntilAsync(async () => await LeasesAsync() == 1, "the first slot given back once the database is back");
        jobs.Proceed.Release();
        await Eventually.Within(waiting);
        await Eventually.UntilAsync(async () => await LeasesAsync() == 0, "every slot given back");
        Assert.That(log.Lines.Any(l => l.EventId == Logging.LogEventIds.SharedLimitStoreBack));
        Assert.That(log.Texts, Has.None.Contains(Password));
    }

    private Task<long> LeasesAsync() => ScalarAsync<long>($"SELECT count(*) FROM \"{Schema}\".flows_limit_leases WHERE limit_key = '{SlotKey}'");

    private Task<long> RunsAsync(string name, RunState state) =>
        ScalarAsync<long>($"SELECT count(*) FROM \"{Schema}\".flows_runs WHERE name = '{name}' AND state = {(int)state}");

    private static async Task<T> ScalarAsync<T>(string sql) => (T)Convert.ChangeType((await TestStores.ScalarAsync(sql))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);

    private static Task ExecuteAsync(string sql) => TestPostgres.ExecuteAsync(TestStores.PostgresConnectionString, sql);

    /// <summary>The database as one process sees it, through a forwarder that can be switched off and on; off for good last.</summary>
    private sealed class Switch(Func<TcpForwarder> start) : IAsyncDisposable
    {
        private TcpForwarder? _on = start();

        public async Task OffAsync()
        {
            await _on!.DisposeAsync();
            _on = null;
        }

        public void On() => _on = start();

        public ValueTask DisposeAsync() => _on?.DisposeAsync() ?? default;
    }

    /// <summary>Engines on one schema, each with a store of its own (a replica each), opened before the test goes on.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private readonly List<Task> _calls = [];

        private Replicas(PostgreSqlRunStore[] stores, FlowEngine[] engines)
        {
            Stores = stores;
            Engines = engines;
        }

        public PostgreSqlRunStore[] Stores { get; }

        public FlowEngine[] Engines { get; }

        public static async Task<Replicas> StartAsync(string schema, int count, params (string Key, string Value)[] settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
            var stores = Enumerable.Range(0, count).Select(_ => TestStores.Postgres(schema)).ToArray();
            foreach (var store in stores)
            {
                await store.OpenAsync();
            }

            return new Replicas(stores, [.. stores.Select(s => new FlowEngine(new FlowEngineOptions { Store = s, Configuration = configuration }))]);
        }

        /// <summary>Starts a call on engine <paramref name="index"/>: the runs it makes belong to that engine.</summary>
        public Task<T> Run<T>(int index, Func<Task<T>> call)
        {
            using (Engines[index].Use())
            {
                var started = call();
                _calls.Add(started);
                return started;
            }
        }

        /// <summary>Stops the engines, which cancels runs a failed test left waiting, and lets those end before their stores go.</summary>
        public async ValueTask DisposeAsync()
        {
            foreach (var engine in Engines)
            {
                await engine.DisposeAsync();
            }

            try
            {
                await Task.WhenAll(_calls).WaitAsync(Eventually.Limit);
            }
            catch (Exception ex) when (ex is OperationCanceledException or FlowRunRejectedException or TimeoutException)
            {
                // Runs cancelled by the engines' stop, or refused by a test on purpose: what the test asserted is done.
            }

            foreach (var store in Stores)
            {
                await store.DisposeAsync();
            }
        }
    }
}

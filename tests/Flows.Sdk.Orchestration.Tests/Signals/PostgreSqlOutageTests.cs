using Flows.Orchestration.Cluster;
using Flows.Orchestration.Tests.Fixtures;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flows.Orchestration.Tests.Signals;

/// <summary>
/// A replica of a clustered PostgreSQL job store while its database goes away and comes back, on a server of the
/// test's own (<see cref="ThrowAwayCluster"/>): the runs in progress (a scheduled one, queued ones) keep running and end
/// Completed, no run starts while the database is away, Quartz and the signals reconnect by themselves, slots fire
/// again, and every queued run ran exactly once.
/// </summary>
[NonParallelizable]
[Category("Slow")]
public sealed class PostgreSqlOutageTests
{
    /// <summary>
    /// Failed reconnections of the signals before the database comes back: with the backoff (0.25, 0.5, 1, 2, then 5 s),
    /// about 20 seconds away, the length of a restart or a quick failover.
    /// </summary>
    private const int FailedReconnects = 8;

    private static readonly DateTimeOffset YearStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task AReplica_KeepsItsRunGoing_StartsNothingWhileTheDatabaseIsAway_AndResumes()
    {
        var label = "outage-" + Guid.NewGuid().ToString("N")[..8];
        await using var cluster = await ThrowAwayCluster.StartNewAsync();
        using var home = TempFolder.Create();
        var log = new CapturedLog();
        using var host = Build(cluster.ConnectionString, home.Path, log, label);
        try
        {
            await Eventually.Within(host.StartAsync());
            var signals = host.Services.GetRequiredService<ClusterSignals>();
            Assert.That(signals.IsListening, Is.True, "listening once the host started");
            var store = host.Services.GetRequiredService<FlowEngine>().Store;
            // The long run starts now: a backfill of one of its yearly slots.
            await host.Services.GetRequiredService<IDeployments>().BackfillAsync("outage-long", YearStart, YearStart.AddDays(1));
            await Eventually.Until(() => Scheduled.Started.Contains(label), "the long run started");
            await Eventually.UntilAsync(async () => (await TicksAsync(store)).Count(r => r.State == RunState.Completed) >= 2, "two ticks completed");

            // Queued work in flight when the database goes: three runs in progress, and twenty short ones some of
            // which are still waiting.
            var client = host.Services.GetRequiredService<IFlowClient>();
            var blocked = Enumerable.Range(0, 3).Select(i => $"{label}-q{i}").ToList();
            var queued = new List<Guid>();
            foreach (var blockedLabel in blocked)
            {
                queued.Add(await client.EnqueueAsync("orch-block", new { label = blockedLabel }));
            }

            for (var i = 0; i < 20; i++)
            {
                queued.Add(await client.EnqueueAsync("orch-record", new { label = $"{label}-r{i}" }));
            }

            await Eventually.Until(() => blocked.All(Scheduled.Started.Contains), "the three blocking queued runs started");
            await cluster.StopAsync();
            var away = TimeProvider.System.GetUtcNow();
            await Eventually.Until(() => signals.FailedConnects >= FailedReconnects, $"the signals failed to reconnect {FailedReconnects} times");
            // The run in progress ends while the database is away; what it records waits for the database.
            foreach (var gate in blocked.Append(label))
            {
                Scheduled.Gate(gate).TrySetResult();
            }

            await cluster.StartAsync();
            var back = TimeProvider.System.GetUtcNow();

            await Eventually.UntilAsync(async () => (await LongRunAsync(store))?.State == RunState.Completed, "the long run recorded Completed");
            await Eventually.Until(() => signals.IsListening, "the signals listening again");
            await Eventually.UntilAsync(async () => (await TicksAsync(store)).Any(r => r.ScheduledFor > back && r.State == RunState.Completed), "a tick after the outage completed");

            await Eventually.UntilAsync(
                async () =>
                {
                    foreach (var runId in queued)
                    {
                        if ((await client.GetRunAsync(runId))?.State != RunState.Completed)
                        {
                            return false;
                        }
                    }

                    return true;
                },
                "every queued run Completed",
                TimeSpan.FromSeconds(90)); // twenty runs behind three blocking ones, after reconnecting, on a loaded machine

            var ticks = await TicksAsync(store);
            Assert.Multiple(() =>
            {
                // A firing already on its way when the database went can still start within the first second.
                Assert.That(ticks.Where(r => r.StartedAt > away.AddSeconds(1) && r.StartedAt < back), Is.Empty, "runs started while the database was away");
                Assert.That(ticks.GroupBy(r => r.ScheduledFor).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "slots run twice");
                Assert.That(log.Lines.Count(l => l.EventId == 4071), Is.EqualTo(1), "the outage logged once by the signals");
                Assert.That(Enumerable.Range(0, 20).Select(i => Scheduled.Calls.Count(c => c == $"{label}-r{i}")), Is.All.EqualTo(1), "each short queued run ran once");
                Assert.That(blocked.Select(b => Scheduled.Started.Count(started => started == b)), Is.All.EqualTo(1), "each blocking queued run ran once");
            });
        }
        catch
        {
            await TestContext.Out.WriteLineAsync(string.Join('\n', log.Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => $"{l.Category} {l.EventId} {l.Message}")));
            throw;
        }
        finally
        {
            await host.StopAsync().WaitAsync(Eventually.Limit);
            NpgsqlConnection.ClearAllPools();
        }
    }

    private static IHost Build(string connection, string home, CapturedLog log, string label)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Flows:Home"] = home,
            ["Flows:Store:ConnectionString"] = connection,
        });
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddFlowsPostgreSqlStore();
        builder.Services.AddFlows().AddOrchestration(o =>
        {
            o.DeployFlowSchedules = false;
            o.ShutdownGrace = TimeSpan.FromSeconds(5);
            o.Deploy("outage-long", "orch-block", d => d.Cron("0 0 1 1 *").Parameters(new { label }));
            o.Deploy("outage-tick", "orch-record", d => d.Cron("* * * * * *").Parameters(new { label = "tick" }));
        });
        return builder.Build();
    }

    private static async Task<IReadOnlyList<RunRecord>> TicksAsync(IRunStore store) =>
        await store.QueryRunsAsync(new RunQuery { Deployment = "outage-tick", Kind = RunKind.Flow, Limit = 1000 });

    private static async Task<RunRecord?> LongRunAsync(IRunStore store) =>
        (await store.QueryRunsAsync(new RunQuery { Deployment = "outage-long", Kind = RunKind.Flow, Limit = 10 })).SingleOrDefault();
}

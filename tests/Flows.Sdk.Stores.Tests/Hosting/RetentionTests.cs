using Flows.Hosting;
using Flows.Runs;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests.Hosting;

/// <summary>Automatic retention: a host with <c>Flows:Store:Retention</c> prunes old runs at start and every hour after.</summary>
[NonParallelizable] // a running host sets the process-wide FlowEngine.Default
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    [CancelAfter(60_000)]
    public async Task AHostWithRetention_PrunesRunsEndedLongerAgo_AtStartAndEveryHour_KeepingFailedOnesByDefault(CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        var path = folder.File("flows.db");
        var old = Ended("old", RunState.Completed, Now.AddDays(-31));
        var oldFailed = Ended("old-failed", RunState.Failed, Now.AddDays(-31));
        var recent = Ended("recent", RunState.Completed, Now.AddDays(-30).AddMinutes(30));
        await using (var seed = new SqliteRunStore(path))
        {
            await seed.WriteAsync(new RunWriteBatch { Runs = [old, oldFailed, recent] }, cancellationToken);
        }

        var time = new FakeTimeProvider(Now);
        using var host = Build(path, time, "30.00:00:00");
        await host.StartAsync(cancellationToken);
        var store = host.Services.GetRequiredService<FlowEngine>().Store;

        await Eventually.UntilAsync(async () => await store.GetRunAsync(old.Id, cancellationToken) is null, "the old run was pruned at start");
        Assert.That(await store.GetRunAsync(oldFailed.Id, cancellationToken), Is.Not.Null, "failed runs are kept unless RetentionKeepFailed is false");
        Assert.That(await store.GetRunAsync(recent.Id, cancellationToken), Is.Not.Null);

        // An hour on, the recent run has become older than the retention. A tick that finds the last prune still
        // finishing skips (the next is an hour later), so the hours go on until one prunes.
        await Eventually.UntilAsync(
            async () =>
            {
                time.Advance(RetentionService.Interval);
                return await store.GetRunAsync(recent.Id, cancellationToken) is null;
            },
            "the recent run was pruned on an hourly tick, once older than the retention");
        await host.StopAsync(cancellationToken);
    }

    [TestCase("30", TestName = "ARetentionOf_30_IsRefusedAtStart_NamingTheKeyAndTheForm")]
    [TestCase("-1.00:00:00", TestName = "ARetentionOf_Minus1Day_IsRefusedAtStart_NamingTheKeyAndTheForm")]
    public void ABadRetention_IsRefusedAtStart_NamingTheKeyAndTheForm(string value)
    {
        using var folder = TestStores.NewFolder();
        using var host = Build(folder.File("flows.db"), TimeProvider.System, value);

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain($"'Flows:Store:Retention' = '{value}'").And.Contain("30.00:00:00"));
    }

    private static IHost Build(string path, TimeProvider time, string retention)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:Path"] = path, ["Flows:Store:Retention"] = retention });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddFlows();
        return builder.Build();
    }

    private static RunRecord Ended(string name, RunState state, DateTimeOffset endedAt)
    {
        var id = Guid.CreateVersion7();
        return new() { Id = id, FlowRunId = id, Kind = RunKind.Flow, Name = name, State = state, CreatedAt = endedAt.AddMinutes(-1), StartedAt = endedAt.AddMinutes(-1), EndedAt = endedAt };
    }
}

using System.Diagnostics;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>
/// Over PostgreSQL, with the default heartbeat (5 s, timeout 10 s, swept every 2.5 s): a process killed mid-run has its
/// run Crashed, naming it, within the timeout plus half an interval, and another process retries it under its id.
/// </summary>
public sealed class PostgreSqlCrashRetryTests : PostgreSqlSchemaTests
{
    [Test]
    [CancelAfter(120_000)]
    [Description("About 15 s: a heartbeat must really lapse on the server's clock.")]
    public async Task AKilledProcessesRun_IsCrashedWithin12AndAHalfSeconds_AndRetriedByAnotherProcess(CancellationToken cancellationToken)
    {
        await using var judge = TestStores.Postgres(Schema);
        await judge.OpenAsync(cancellationToken);
        await CrashHelperProcess.RunUntilReadyThenKillAsync(cancellationToken, "retry-job-pg", TestStores.PostgresConnectionString, Schema);
        var sinceKill = Stopwatch.StartNew();
        var run = (await judge.QueryRunsAsync(new RunQuery { Name = "crash-retry-job" }, cancellationToken)).Single();

        // The subject is how long the verdict takes in real time: the wait ends on the verdict, bounded.
        await Eventually.UntilAsync(async () => (await judge.GetRunAsync(run.Id, cancellationToken))!.State == RunState.Crashed, "the killed process's run is Crashed");
        var detected = sinceKill.Elapsed;
        await TestContext.Out.WriteLineAsync($"Crashed {detected.TotalSeconds:0.0} s after the kill");
        var output = await CrashHelperProcess.RunToEndAsync(cancellationToken, "retry-pg", TestStores.PostgresConnectionString, Schema, run.Id.ToString());

        Assert.That(detected, Is.LessThan(judge.HeartbeatTimeout + judge.HeartbeatInterval / 2 + TimeSpan.FromSeconds(2.5)), "the timeout, a sweep period, and room for a loaded machine");
        var crash = (await judge.GetTransitionsAsync(run.Id, cancellationToken)).Single(t => t.State == RunState.Crashed);
        Assert.That(crash.Message, Does.Contain("its heartbeat lapsed for longer than 10 s").And.Contain($"found by {Environment.MachineName}, pid {Environment.ProcessId}, store owner {judge.OwnerId}"));
        Assert.That(output, Is.EqualTo("RETRIED Completed 2"));
        Assert.That((await judge.GetRunAsync(run.Id, cancellationToken))!.Result, Is.EqualTo("10"));
    }
}

using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Cli.Tests.Commands;

/// <summary>
/// A run started by one process (the helper application's <c>flows run</c>) listed, inspected, followed and cancelled
/// by others (more child processes) through the store they share: a SQLite file, or a PostgreSQL schema.
/// </summary>
public sealed class CrossProcessTests
{
    [TestCase("sqlite")]
    [TestCase("postgresql")]
    public async Task ARunStartedByOneProcess_IsListedInspectedFollowedAndCancelled_FromAnother(string store)
    {
        var environment = new Dictionary<string, string>();
        var schema = TestPostgres.NewSchemaName("cli_cross_");
        if (store == "postgresql")
        {
            environment["Flows__Store__ConnectionString"] = TestServices.Postgres;
            environment["Flows__Store__Schema"] = schema;
        }

        try
        {
            await using var app = new CliApp(b =>
            {
                if (store == "postgresql")
                {
                    b.Configuration.AddInMemoryCollection(environment.ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
                    b.Services.AddFlowsPostgreSqlStore();
                }
            });
            var home = Path.GetDirectoryName(app.StorePath)!;
            using var runner = CliProcess.Start(home, environment, "run", "cli-slow", "--param", "seconds=120");
            var id = await LogsVerbTests.RunningIdAsync(app, "cli-slow");

            var listed = await CliProcess.RunAsync(home, environment, "runs", "--json");
            var inspected = await CliProcess.RunAsync(home, environment, "inspect", id.ToString(), "--json");
            var unknown = await CliProcess.RunAsync(home, environment, "inspect", Guid.CreateVersion7().ToString());
            using var follow = CliProcess.Start(home, environment, "logs", id.ToString(), "--follow");
            await follow.WaitForLineAsync("working");
            var cancelled = await CliProcess.RunAsync(home, environment, "cancel", id.ToString(), "--reason", "stopped from another process", "--wait");
            var ranTo = await runner.WaitForExitAsync();
            var ended = (await app.Engine.Store.GetRunAsync(id))!;
            var followed = await follow.WaitForExitAsync();

            Assert.That(listed.ExitCode, Is.EqualTo(ExitCodes.Success), listed.ToString());
            using (var json = JsonDocument.Parse(listed.Output))
            {
                var run = json.RootElement.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("id").GetGuid() == id);
                Assert.That(run.GetProperty("state").GetString(), Is.EqualTo(nameof(RunState.Running)));
            }

            Assert.That(inspected.ExitCode, Is.EqualTo(ExitCodes.Success), inspected.ToString());
            using (var json = JsonDocument.Parse(inspected.Output))
            {
                Assert.That(json.RootElement.GetProperty("run").GetProperty("parameters").GetProperty("seconds").GetInt32(), Is.EqualTo(120));
                Assert.That(json.RootElement.GetProperty("children").GetArrayLength(), Is.Positive, "its task runs so far");
            }

            Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.BadInput), unknown.ToString());
            Assert.That(cancelled.ExitCode, Is.EqualTo(ExitCodes.Success), cancelled.ToString());
            Assert.That(CliText.Flat(cancelled.Output), Does.Contain($"Cancel requested for run {id}").And.Contain("ended Cancelled"));
            Assert.That(ranTo, Is.EqualTo(ExitCodes.RunNotCompleted), "'flows run' of a run cancelled elsewhere: " + runner.Transcript);
            Assert.That(ended.State, Is.EqualTo(RunState.Cancelled));
            Assert.That(ended.Error, Does.Contain("stopped from another process"));
            Assert.That(followed, Is.EqualTo(ExitCodes.RunNotCompleted), "--follow ends with the run, which was cancelled: " + follow.Transcript);
            Assert.That(follow.Transcript, Does.Contain("ended Cancelled"));
        }
        finally
        {
            if (store == "postgresql")
            {
                await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
            }
        }
    }

    [Test]
    public async Task LogsFollow_InAChildProcess_StopsFollowingOnCtrlC_With130_AndLeavesTheRunRunning()
    {
        await using var app = new CliApp();
        var gate = "ctrl-c-" + Guid.NewGuid();
        var running = app.Engine.RunAsync("cli-gated", RunParameters.Of(new { gate }));
        var id = await LogsVerbTests.RunningIdAsync(app, "cli-gated");
        var home = Path.GetDirectoryName(app.StorePath)!;

        using var follow = CliProcess.Start(home, null, "logs", id.ToString(), "--follow");
        await follow.WaitForLineAsync($"waiting for {gate}");
        follow.Signal(ChildProcess.SigInt);
        var exitCode = await follow.WaitForExitAsync();
        var after = await app.Engine.Store.GetRunAsync(id);
        CliFlows.Open(gate);
        var ended = await Eventually.Within(running);

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Interrupted), follow.Transcript);
        Assert.That(after!.State, Is.EqualTo(RunState.Running), "Ctrl+C stops following, not the run");
        Assert.That(ended.State, Is.EqualTo(RunState.Completed));
    }
}

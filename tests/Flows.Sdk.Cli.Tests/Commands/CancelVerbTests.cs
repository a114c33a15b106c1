using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;

namespace Flows.Cli.Tests.Commands;

public sealed class CancelVerbTests
{
    [Test]
    public async Task Cancel_OfARunInProgress_CancelsItThroughTheStore_AndWaitPrintsCancelled()
    {
        await using var app = new CliApp();
        var gate = "cancel-" + Guid.NewGuid();
        var running = app.Engine.RunAsync("cli-gated", RunParameters.Of(new { gate }));
        var id = await LogsVerbTests.RunningIdAsync(app, "cli-gated");

        var result = await Eventually.Within(app.RunAsync("cancel", id.ToString(), "--reason", "wrong quarter", "--wait", "--no-color"));
        CliFlows.Open(gate);
        var ended = await Eventually.Within(running);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(CliText.Flat(result.Output), Does.Contain($"Cancel requested for run {id}").And.Contain("ended Cancelled"), result.ToString());
        Assert.That(ended.State, Is.EqualTo(RunState.Cancelled));
        Assert.That(ended.Error, Does.Contain("wrong quarter"));
    }

    [Test]
    public async Task Cancel_OfAScheduledRun_EndsItBeforeItStarts()
    {
        await using var app = new CliApp();
        var scheduled = await app.Engine.TryScheduleRunAsync("cli-greet", RunParameters.Of(new { name = "later" }), new RunStart { RunId = Guid.CreateVersion7() });

        var result = await app.RunAsync("cancel", scheduled!.Id.ToString(), "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.That(json.RootElement.GetProperty("outcome").GetString(), Is.EqualTo("cancelledBeforeStart"));
        Assert.That(json.RootElement.GetProperty("run").GetProperty("state").GetString(), Is.EqualTo(nameof(RunState.Cancelled)));
        Assert.That((await app.Engine.Store.GetRunAsync(scheduled.Id))!.Error, Does.Contain("Cancelled from the command line"));
    }

    [Test]
    public async Task Cancel_OfARunThatEnded_ChangesNothing_AndExitsWith1()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "done" }));

        var result = await app.RunAsync("cancel", run.Id.ToString());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), result.ToString());
        Assert.That(CliText.Flat(result.Output), Does.Contain("has already ended Completed: nothing to cancel"));
        Assert.That((await app.Engine.Store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Completed));
    }

    [Test]
    public async Task Cancel_OfATaskRun_NamesTheFlowRunToCancel_WithExitCode2()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "task" }));
        var task = (await app.Engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { FlowRunId = run.Id, Kind = RunKind.Task })).Single();

        var result = await app.RunAsync("cancel", task.Id.ToString());

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(CliText.Flat(result.Error), Does.Contain($"is a task run (cli-hello); cancel the flow run it belongs to: flows cancel {run.Id}"));
    }
}

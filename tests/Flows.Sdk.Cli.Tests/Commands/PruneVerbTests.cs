using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;

namespace Flows.Cli.Tests.Commands;

public sealed class PruneVerbTests
{
    [Test]
    public async Task Prune_DeletesRunsThatEndedBeforeTheCutoff_KeepsFailedOnesWhenAsked_AndNeverOneInProgress()
    {
        await using var app = new CliApp();
        var completed = await app.Engine.RunAsync("cli-report", RunParameters.Of(new { title = "prune" }));
        var failed = await app.Engine.RunAsync("cli-fail", RunParameters.Of(new { reason = "prune" }));
        var gate = "prune-" + Guid.NewGuid();
        var running = app.Engine.RunAsync("cli-gated", RunParameters.Of(new { gate }));
        var inProgress = await LogsVerbTests.RunningIdAsync(app, "cli-gated");

        // The command's clock is CliApp.Now (2030), so every run here ended more than a day before it.
        var wouldAll = await app.RunAsync("prune", "--older-than", "1d", "--dry-run", "--no-color");
        var wouldKeep = await app.RunAsync("prune", "--older-than", "1d", "--dry-run", "--keep-failed", "--json");
        var pruned = await app.RunAsync("prune", "--older-than", "1d", "--keep-failed", "--json");
        var again = await app.RunAsync("prune", "--older-than", "1d", "--no-color");

        Assert.That(CliText.Flat(wouldAll.Output), Does.StartWith("Would delete 2 flow runs that ended before 2030-05-31 13:00:00"), wouldAll.ToString());
        using (var json = JsonDocument.Parse(wouldKeep.Output))
        {
            Assert.That(json.RootElement.GetProperty("flowRuns").GetInt32(), Is.EqualTo(1), wouldKeep.ToString());
        }

        Assert.That(pruned.ExitCode, Is.EqualTo(ExitCodes.Success), pruned.ToString());
        using (var json = JsonDocument.Parse(pruned.Output))
        {
            Assert.That(json.RootElement.GetProperty("flowRuns").GetInt32(), Is.EqualTo(1));
            Assert.That(json.RootElement.GetProperty("runs").GetInt32(), Is.EqualTo(5), "the flow run and its four task runs");
            Assert.That(json.RootElement.GetProperty("logLines").GetInt32(), Is.Positive);
        }

        Assert.That(await app.Engine.Store.GetRunAsync(completed.Id), Is.Null);
        Assert.That(await app.Engine.Store.GetRunAsync(failed.Id), Is.Null, "the second prune, without --keep-failed: " + again);
        Assert.That(CliText.Flat(again.Output), Does.StartWith("Deleted 1 flow run that ended before"));
        Assert.That((await app.Engine.Store.GetRunAsync(inProgress))!.State, Is.EqualTo(RunState.Running), "never a run in progress");
        CliFlows.Open(gate);
        await Eventually.Within(running);
    }

    [TestCase("--older-than", "30 days", "--older-than '30 days' is not a span of time")]
    [TestCase("--dry-run", null, "--older-than")]
    public async Task Prune_RefusesBadInput_WithExitCode2(string option, string? value, string message)
    {
        await using var app = new CliApp();

        var result = await app.RunAsync(value is null ? ["prune", option] : ["prune", option, value]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
    }
}

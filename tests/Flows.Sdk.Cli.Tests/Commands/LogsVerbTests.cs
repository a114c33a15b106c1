using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;

namespace Flows.Cli.Tests.Commands;

public sealed class LogsVerbTests
{
    [Test]
    public async Task Logs_PrintsTheRunsAndItsTaskRunsLines_OldestFirst_FilteredByLevel()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-report", RunParameters.Of(new { title = "logs-level" }));

        var all = await app.RunAsync("logs", run.Id.ToString(), "--no-color");
        var warnings = await app.RunAsync("logs", run.Id.ToString(), "--level", "warn", "--no-color");

        Assert.That(all.ExitCode, Is.EqualTo(ExitCodes.Success), all.ToString());
        Assert.That(warnings.ExitCode, Is.EqualTo(ExitCodes.Success), warnings.ToString());
        Assert.That(warnings.Lines.Where(l => l.Length > 0), Has.All.Match(@"^\S+ \S+ (WRN|ERR|CRT) "), "only warnings and above");
        Assert.That(warnings.Lines, Has.None.Contains(" INF "));
        var line = warnings.Lines.Single(l => l.Contains("Report logs-level", StringComparison.Ordinal));
        Assert.That(line, Does.Match(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WRN cli-report  Report logs-level is 34$"), warnings.ToString());
        Assert.That(all.Output, Does.Contain("WRN cli-report  Report logs-level is 34"));
        Assert.That(all.Output, Does.Contain("cli-flaky  ").And.Contain("logs-level flaked"), "task runs' lines, named by the task");
        Assert.That(all.Output.IndexOf("INF cli-report  Flow 'cli-report' started", StringComparison.Ordinal), Is.LessThan(all.Output.IndexOf("WRN", StringComparison.Ordinal)), "oldest first");
    }

    [Test]
    public async Task Logs_Json_IsTheDocumentedShape()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "Ada", times = 2 }));

        var result = await app.RunAsync("logs", run.Id.ToString(), "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var line = json.RootElement.GetProperty("logs").EnumerateArray().Single(l => l.GetProperty("message").GetString() == "Greeted Ada 2 times");
        Assert.That(line.GetProperty("run").GetString(), Is.EqualTo("cli-greet"));
        Assert.That(line.GetProperty("runId").GetGuid(), Is.EqualTo(run.Id));
        Assert.That(line.GetProperty("level").GetString(), Is.EqualTo("Information"));
        Assert.That(line.GetProperty("timestamp").GetDateTimeOffset().Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task LogsFollow_PrintsNewLinesAsTheyAreStored_AndEndsWhenTheRunEnds()
    {
        await using var app = new CliApp();
        var gate = "follow-" + Guid.NewGuid();
        var running = app.Engine.RunAsync("cli-gated", RunParameters.Of(new { gate }));
        var id = await RunningIdAsync(app, "cli-gated");

        var following = app.RunAsync("logs", id.ToString(), "--follow", "--no-color");
        await Eventually.UntilAsync(async () => (await app.Engine.Store.GetLogsAsync(id)).Any(l => l.Message.StartsWith("waiting", StringComparison.Ordinal)), "the first line is stored");
        Assert.That(following.IsCompleted, Is.False, "--follow waits for the run's end");
        CliFlows.Open(gate);
        var result = await Eventually.Within(following);
        await Eventually.Within(running);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Output, Does.Contain($"waiting for {gate}").And.Contain($"released {gate}"), result.ToString());
        Assert.That(result.Error, Does.Contain("ended Completed"));
    }

    [Test]
    public async Task LogsFollow_OfARunThatFails_ExitsWith1()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-fail", RunParameters.Of(new { reason = "follow me" }));

        var result = await Eventually.Within(app.RunAsync("logs", run.Id.ToString(), "--follow", "--json"));

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), result.ToString());
    }

    [TestCase("loud", "--level 'loud' is not a log level")]
    [TestCase("7", "--level '7' is not a log level")]
    public async Task Logs_RefusesABadLevel_WithExitCode2(string level, string message)
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "Ada" }));

        var result = await app.RunAsync("logs", run.Id.ToString(), "--level", level);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
    }

    /// <summary>The id of the run of <paramref name="flow"/> once it is stored Running.</summary>
    internal static async Task<Guid> RunningIdAsync(CliApp app, string flow)
    {
        Guid id = default;
        await Eventually.UntilAsync(
            async () =>
            {
                var runs = await app.Engine.Store.QueryRunsAsync(new Flows.Stores.RunQuery { Name = flow, State = RunState.Running });
                id = runs.Count > 0 ? runs[0].Id : default;
                return runs.Count > 0;
            },
            $"a run of {flow} is stored Running");
        return id;
    }
}

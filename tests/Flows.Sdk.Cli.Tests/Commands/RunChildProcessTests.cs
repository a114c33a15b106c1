using System.Text.Json;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary><c>flows run</c> as a user meets it: the helper application as a child process, real exit codes and signals.</summary>
public sealed class RunChildProcessTests
{
    [Test]
    public async Task Run_InAChildProcess_Exits0WhenCompleted_1WhenFailed_2ForABadParameter()
    {
        using var home = TempFolder.Create("flows-cli-run-");

        var completed = await CliProcess.RunAsync(home.Path, null, "run", "cli-greet", "--param", "name=Ada", "--json");
        var failed = await CliProcess.RunAsync(home.Path, null, "run", "cli-fail", "--param", "reason=disk full");
        var refused = await CliProcess.RunAsync(home.Path, null, "run", "cli-greet", "--param", "name=Ada", "--param", "times=often");

        Assert.That(completed.ExitCode, Is.EqualTo(ExitCodes.Success), completed.ToString());
        using (var json = JsonDocument.Parse(completed.Output))
        {
            Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("Completed"));
        }

        Assert.That(failed.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), failed.ToString());
        Assert.That(failed.Output, Does.Contain("Failed").And.Contain("disk full"));
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.BadInput), refused.ToString());
        Assert.That(refused.Error, Does.Contain("Flow 'cli-greet': parameter 'times' expected int but got \"often\""));
    }

    [TestCase("SQLite")]
    [TestCase("PostgreSQL")]
    public async Task CtrlC_DuringRun_CancelsTheRun_RecordsItCancelled_AndExits130(string store)
    {
        using var home = TempFolder.Create("flows-cli-sigint-");
        var schema = TestPostgres.NewSchemaName("cli_sigint_");
        var environment = store == "SQLite"
            ? null
            : new Dictionary<string, string> { ["Flows__Store__ConnectionString"] = TestServices.Postgres, ["Flows__Store__Schema"] = schema };
        try
        {
            await CtrlCAsync(home.Path, environment);
        }
        finally
        {
            if (environment is not null)
            {
                await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
            }
        }
    }

    private static async Task CtrlCAsync(string home, Dictionary<string, string>? environment)
    {
        using var child = CliProcess.Start(home, environment, "run", "cli-slow", "--param", "seconds=120", "--watch");
        var started = await child.WaitForLineAsync("of cli-slow started");
        var id = started.Split(' ')[1];
        await child.WaitForLineAsync("cli-tick #2 Completed");

        child.Signal(ChildProcess.SigInt);
        var exitCode = await child.WaitForExitAsync();

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Interrupted), $"exit code; the process printed:\n{child.Transcript}");
        var listed = await CliProcess.RunAsync(home, environment, "runs", "--flow", "cli-slow", "--json");
        using var json = JsonDocument.Parse(listed.Output);
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single();
        Assert.That(run.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(run.GetProperty("state").GetString(), Is.EqualTo("Cancelled"), $"the run's state: {listed.Output}\nthe process printed:\n{child.Transcript}");
    }
}

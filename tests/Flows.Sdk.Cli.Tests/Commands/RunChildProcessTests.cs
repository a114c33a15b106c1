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

    [Test]
    public async Task CtrlC_DuringRun_CancelsTheRun_RecordsItCancelled_AndExits130()
    {
        using var home = TempFolder.Create("flows-cli-sigint-");
        using var child = CliProcess.Start(home.Path, null, "run", "cli-slow", "--param", "seconds=120", "--watch");
        var started = await child.WaitForLineAsync("of cli-slow started");
        var id = started.Split(' ')[1];
        await child.WaitForLineAsync("cli-tick Completed");

        child.Signal(ChildProcess.SigInt);
        var exitCode = await child.WaitForExitAsync();

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Interrupted), child.Transcript);
        var listed = await CliProcess.RunAsync(home.Path, null, "runs", "--flow", "cli-slow", "--json");
        using var json = JsonDocument.Parse(listed.Output);
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single();
        Assert.That(run.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(run.GetProperty("state").GetString(), Is.EqualTo("Cancelled"), child.Transcript);
    }
}

using System.Text.Json;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary>The command line as a user meets it: the helper application run as a child process.</summary>
public sealed class ChildProcessTests
{
    [Test]
    public async Task Runs_InAChildProcess_AnswersJson_AndRefusesBadInputWithExitCode2()
    {
        using var home = TempFolder.Create("flows-cli-home-");

        var listed = await CliProcess.RunAsync(home.Path, null, "runs", "--json");
        var refused = await CliProcess.RunAsync(home.Path, null, "runs", "--state", "sideways");

        Assert.That(listed.ExitCode, Is.EqualTo(ExitCodes.Success), listed.ToString());
        using var json = JsonDocument.Parse(listed.Output);
        Assert.That(json.RootElement.GetProperty("runs").GetArrayLength(), Is.Zero);
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.BadInput), refused.ToString());
        Assert.That(refused.Error, Does.Contain("'sideways' is not a run state"));
    }
}

using System.Text.Json;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary><c>flows serve</c>, and the application run with no verb, as a container runs it: serving until SIGTERM, then exit 0.</summary>
public sealed class ServeChildProcessTests
{
    [TestCase("serve")]
    [TestCase(null)]
    public async Task Serve_StartsTheHost_WritesItsDeployments_AndStopsOnSigTerm_WithExitCode0(string? verb)
    {
        using var home = TempFolder.Create("flows-cli-serve-");
        using var server = CliProcess.Start(home.Path, null, verb is null ? [] : [verb]);
        await server.WaitForLineAsync("Application started");

        var listed = await CliProcess.RunAsync(home.Path, null, "list", "--json");
        server.Signal(ChildProcess.SigTerm);
        var exitCode = await server.WaitForExitAsync();

        Assert.That(listed.ExitCode, Is.EqualTo(ExitCodes.Success), listed.ToString());
        using var json = JsonDocument.Parse(listed.Output);
        var deployment = json.RootElement.GetProperty("deployments").EnumerateArray().Single();
        Assert.That(deployment.GetProperty("name").GetString(), Is.EqualTo("cli-greet-daily"));
        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), server.Transcript);
    }
}

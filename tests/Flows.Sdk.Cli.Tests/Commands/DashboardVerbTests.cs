using System.Net;
using System.Text.RegularExpressions;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary><c>flows dashboard</c>: the run dashboard served standalone over the application's store, loopback only.</summary>
public sealed partial class DashboardVerbTests
{
    [Test]
    public async Task Dashboard_ServesTheRunsOfTheStore_ReadOnlyOnLoopback_AndStopsOnSigInt_WithExitCode0()
    {
        using var home = TempFolder.Create("flows-cli-dashboard-");
        var ran = await CliProcess.RunAsync(home.Path, null, "run", "cli-greet", "--param", "name=Ada");
        using var server = CliProcess.Start(home.Path, null, "dashboard", "--urls", "http://127.0.0.1:0");
        var line = await server.WaitForLineAsync("Dashboard at ");
        var address = DashboardAddress().Match(line).Groups["url"].Value;

        using var http = new HttpClient();
        var page = await http.GetStringAsync(address);
        var cancel = await http.PostAsync(address + "runs/" + Guid.CreateVersion7() + "/cancel", new FormUrlEncodedContent([]));
        server.Signal(ChildProcess.SigInt);
        var exitCode = await server.WaitForExitAsync();

        Assert.That(ran.ExitCode, Is.EqualTo(ExitCodes.Success), ran.ToString());
        Assert.That(address, Does.StartWith("http://127.0.0.1:"), server.Transcript);
        Assert.That(page, Does.Contain("cli-greet"), "the runs of the application's store are listed");
        Assert.That(page, Does.Contain("Read-only"), "no authorization: the page says it cannot act");
        Assert.That(server.Transcript, Does.Contain("loopback only, read-only"), "start-up says how it serves");
        Assert.That(cancel.StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed), "no action without --allow-actions");
        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), server.Transcript);
    }

    [TestCase("http://0.0.0.0:5080", "is not a loopback address")]
    [TestCase("http://192.168.1.20:5080", "is not a loopback address")]
    [TestCase("ftp://127.0.0.1:21", "is not an address to listen on")]
    [TestCase("127.0.0.1", "is not an address to listen on")]
    public async Task Dashboard_RefusesAnAddressOffLoopback_WithExitCode2_NamingIt(string urls, string message)
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("dashboard", "--urls", urls);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain($"--urls: '{urls}' {message}"));
    }

    [GeneratedRegex(@"Dashboard at (?<url>http://\S+/)")]
    private static partial Regex DashboardAddress();
}

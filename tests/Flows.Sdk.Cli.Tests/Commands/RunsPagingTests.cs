using Flows.CliHelper;
using System.Text.Json;
using Flows.Cli.Tests.Support;

namespace Flows.Cli.Tests.Commands;

/// <summary><c>flows runs --page-token</c>: pages through a history by the token the previous page printed.</summary>
public sealed class RunsPagingTests
{
    [Test]
    public async Task Runs_PagesThroughTheHistory_ByTheTokenEachPageGives_AndSaysWhenThereAreNoMore()
    {
        await using var app = new CliApp();
        using (app.Engine.Use())
        {
            foreach (var name in (string[])["Ada", "Grace", "Alan"])
            {
                await new HelperFlows().Greet(name);
            }
        }

        var first = await app.RunAsync("runs", "--limit", "2", "--json");
        using var firstJson = JsonDocument.Parse(first.Output);
        var token = firstJson.RootElement.GetProperty("nextPageToken").GetString();
        var second = await app.RunAsync("runs", "--limit", "2", "--json", "--page-token", token!);
        using var secondJson = JsonDocument.Parse(second.Output);
        var table = await app.RunAsync("runs", "--limit", "2", "--no-color");

        var ids = firstJson.RootElement.GetProperty("runs").EnumerateArray().Concat(secondJson.RootElement.GetProperty("runs").EnumerateArray())
            .Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.That(ids, Has.Count.EqualTo(3).And.Unique, second.ToString());
        Assert.That(secondJson.RootElement.GetProperty("nextPageToken").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(table.Error, Does.Contain("--page-token " + token), "a table says how to ask for the next page");
    }

    [Test]
    public async Task Runs_RefusesAPageTokenNoStoreIssued_WithExitCode2_NamingTheOption()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("runs", "--page-token", "garbage");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain("--page-token").And.Contain("'garbage' is not one this store issued"));
    }
}

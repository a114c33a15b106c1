using Flows.CliHelper;
using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;

namespace Flows.Cli.Tests.Commands;

public sealed class RunsVerbTests
{
    [Test]
    public async Task Runs_ListsFlowRunsNewestFirst_InEightyColumns()
    {
        await using var app = new CliApp();
        using (app.Engine.Use())
        {
            await new HelperFlows().Greet("Ada");
            Assert.ThrowsAsync<InvalidOperationException>(() => new HelperFlows().Fail("no reason"));
        }

        var result = await app.RunAsync("runs", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var lines = result.Lines.Where(l => l.Length > 0).ToList();
        Assert.That(lines[0], Does.StartWith("ID").And.Contains("FLOW").And.Contains("STATE"));
        Assert.That(lines[1], Does.Contain("cli-fail").And.Contain("Failed"), result.ToString());
        Assert.That(lines[2], Does.Contain("cli-greet").And.Contain("Completed"), result.ToString());
        Assert.That(result.Lines.Max(l => l.Length), Is.LessThanOrEqualTo(80));
        Assert.That(result.Output, Does.Not.Contain("cli-hello"), "task runs are not listed");
    }

    [Test]
    public async Task Runs_Json_IsTheDocumentedShape_AndFiltersByState()
    {
        await using var app = new CliApp();
        using (app.Engine.Use())
        {
            await new HelperFlows().Greet("Ada");
            Assert.ThrowsAsync<InvalidOperationException>(() => new HelperFlows().Fail("no reason"));
        }

        var result = await app.RunAsync("runs", "--state", "failed", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var run = json.RootElement.GetProperty("runs").EnumerateArray().Single();
        Assert.That(run.GetProperty("name").GetString(), Is.EqualTo("cli-fail"));
        Assert.That(run.GetProperty("state").GetString(), Is.EqualTo(nameof(RunState.Failed)));
        Assert.That(run.GetProperty("parameters").GetProperty("reason").GetString(), Is.EqualTo("no reason"));
        Assert.That(run.GetProperty("error").GetString(), Does.Contain("no reason"));
    }

    [TestCase("--state", "sideways", "--state 'sideways' is not a run state")]
    [TestCase("--since", "2 hours", "--since '2 hours' is not a span of time")]
    [TestCase("--limit", "0", "--limit 0 is out of range")]
    public async Task Runs_RefusesBadInput_WithExitCode2_NamingTheOption(string option, string value, string message)
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("runs", option, value);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
        Assert.That(result.Output, Is.Empty);
    }

    [Test]
    public async Task AnUnknownVerb_IsBadUsage_WithExitCode2()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("frobnicate");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain("frobnicate"));
    }
}

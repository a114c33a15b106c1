using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Spectre.Console.Testing;

namespace Flows.Cli.Tests.Commands;

public sealed class RunVerbTests
{
    [Test]
    public async Task Run_RunsTheFlowInProcess_PrintsItsEnd_AndExits0()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("run", "cli-greet", "--param", "name=Ada", "--param", "times=2", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Output, Does.Contain("of cli-greet: Completed"));
        Assert.That(result.Output, Does.Contain("Result: \"Hello Ada. Hello Ada. \""));
        Assert.That(result.Error, Does.Match("Run [0-9a-f-]{36} of cli-greet started"));
        var runs = await app.Engine.Store.QueryRunsAsync(new RunQuery { Kind = RunKind.Flow });
        Assert.That(runs.Single().State, Is.EqualTo(RunState.Completed));
        Assert.That(result.Output, Does.Contain(runs.Single().Id.ToString()));
    }

    [Test]
    public async Task Run_AFlowThatFails_Exits1_WithItsError()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("run", "cli-fail", "--param", "reason=disk full", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), result.ToString());
        Assert.That(result.Output, Does.Contain("of cli-fail: Failed"));
        Assert.That(result.Output, Does.Contain("disk full"));
    }

    [Test]
    public async Task Run_Json_IsTheRunsRecord()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("run", "cli-greet", "-p", "name=Ada", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo("cli-greet"));
        Assert.That(json.RootElement.GetProperty("state").GetString(), Is.EqualTo("Completed"));
        Assert.That(json.RootElement.GetProperty("parameters").GetProperty("name").GetString(), Is.EqualTo("Ada"));
        Assert.That(json.RootElement.GetProperty("result").GetString(), Is.EqualTo("Hello Ada. "));
    }

    [Test]
    public async Task Run_ReadsValuesAgainstTheParameterTypes_ListsAsCommasOrJson_AndTheParamsFileUnderParams()
    {
        await using var app = new CliApp();
        var file = Path.Combine(Path.GetDirectoryName(app.StorePath)!, "params.json");
        await File.WriteAllTextAsync(file, """{ "states": ["TX"], "count": 1, "note": "from the file" }""");

        var commas = await app.RunAsync("run", "cli-typed", "--param", "states=OH,PA", "--param", "count=3", "--param", "dryRun=true", "--param", "note=42", "--json");
        var json = await app.RunAsync("run", "cli-typed", "--param", "states=[\"OH\"]", "--param", "count=3", "--param", "since=2030-01-02T03:04:05Z", "--json");
        var fromFile = await app.RunAsync("run", "cli-typed", "--params-file", file, "--param", "count=7", "--json");

        Assert.That(Result(commas), Is.EqualTo("OH+PA|3|True||42"), commas.ToString());
        Assert.That(Result(json), Is.EqualTo("OH|3|False|2030-01-02T03:04:05.0000000+00:00|none"), json.ToString());
        Assert.That(Result(fromFile), Is.EqualTo("TX|7|False||from the file"), fromFile.ToString());
    }

    [TestCase("cli-nothing", "name=Ada", "No flow or deployment is named 'cli-nothing'. Flows: cli-fail, ")]
    [TestCase("cli-greet", "nom=Ada", "Flow 'cli-greet' has no parameter 'nom'; its parameters are: name (string), times (int)")]
    [TestCase("cli-greet", "times=3", "Flow 'cli-greet': parameter 'name' is missing; expected string")]
    [TestCase("cli-greet", "name=Ada times=three", "Flow 'cli-greet': parameter 'times' expected int but got \"three\"")]
    [TestCase("cli-greet", "Ada", "--param 'Ada' is not a parameter: expected name=value")]
    [TestCase("cli-typed", "states=OH count=2.5", "Flow 'cli-typed': parameter 'count' expected int but got 2.5")]
    [TestCase("cli-greet", "name=Ada name=Bo", "Flow 'cli-greet': parameter 'name' is given twice with --param")]
    public async Task Run_RefusesBadInput_WithExitCode2_NamingTheFlowTheParameterAndTheType(string flow, string parameters, string message)
    {
        await using var app = new CliApp();

        var result = await app.RunAsync(["run", flow, .. parameters.Split(' ').SelectMany(p => new[] { "--param", p })]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
        Assert.That(await app.Engine.Store.QueryRunsAsync(new RunQuery()), Is.Empty, "nothing is recorded");
    }

    [TestCase("[1, 2]", "--params-file '{0}' holds a JSON array: expected an object of parameters")]
    [TestCase("{ nope", "--params-file '{0}' is not JSON")]
    [TestCase(null, "--params-file '{0}' cannot be read")]
    public async Task Run_RefusesABadParamsFile_NamingIt(string? content, string message)
    {
        await using var app = new CliApp();
        var file = Path.Combine(Path.GetDirectoryName(app.StorePath)!, "params.json");
        if (content is not null)
        {
            await File.WriteAllTextAsync(file, content);
        }

        var result = await app.RunAsync("run", "cli-greet", "--params-file", file);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, file)));
    }

    [Test]
    public async Task Run_RefusesASecretParameterOnTheCommandLine_WithoutShowingIt_AndResolvesItFromItsSecret()
    {
        const string secret = "sk-live-4c1d5e0f9a";
        await using var app = new CliApp(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:cli-api-key"] = secret }));

        var refused = await app.RunAsync("run", "cli-secret", "--param", "label=x", "--param", $"apiKey={secret}");
        var ran = await app.RunAsync("run", "cli-secret", "--param", "label=nightly", "--watch", "--no-color");
        var json = await app.RunAsync("run", "cli-secret", "--param", "label=nightly", "--json");

        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.BadInput), refused.ToString());
        Assert.That(refused.Error, Does.Contain("Flow 'cli-secret': parameter 'apiKey' is a [Secret] parameter: its value comes from the secret 'cli-api-key'"));
        Assert.That(ran.ExitCode, Is.EqualTo(ExitCodes.Success), ran.ToString());
        Assert.That(ran.Output, Does.Contain("Result: " + secret.Length));
        Assert.That(json.ExitCode, Is.EqualTo(ExitCodes.Success), json.ToString());
        foreach (var result in new[] { refused, ran, json })
        {
            Assert.That(result.Output + result.Error, Does.Not.Contain(secret).And.Not.Contain(secret[..8]));
        }
    }

    [Test]
    public async Task Run_Watch_WithoutATerminal_PrintsEachStateChange_OneLineEach()
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("run", "cli-map", "--param", "count=5", "--watch", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Lines, Has.Some.Match(@"^cli-map (Pending|Running|Completed)"), result.ToString());
        Assert.That(result.Lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  cli-square( #[2-5])? Completed")), Is.EqualTo(5), result.ToString());
        Assert.That(result.Lines, Has.Some.Contain("of cli-map: Completed"));
        Assert.That(result.Lines.Max(l => l.Length), Is.LessThanOrEqualTo(80));
    }

    [Test]
    public async Task Run_Watch_OnATerminal_DrawsALiveTree_WithAProgressBarForTheMap()
    {
        await using var app = new CliApp();
        var terminal = new TestConsole().Width(80).Interactive();
        terminal.Profile.Capabilities.Ansi = true;

        var exitCode = await FlowsCommandLine.RunAsync(
            ["run", "cli-map", "--param", "count=6", "--watch", "--no-color"],
            app.Host,
            new FlowsCommandLineOptions { Output = terminal, Error = new TestConsole(), Environment = _ => null });

        Assert.That(exitCode, Is.EqualTo(ExitCodes.Success), terminal.Output);
        Assert.That(terminal.Output, Does.Contain("cli-square ████████████████████ 6/6 done"), terminal.Output);
        Assert.That(terminal.Output, Does.Contain("of cli-map: Completed"));
    }

    private static string? Result(CliResult result)
    {
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("result").GetString();
    }
}

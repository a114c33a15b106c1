using System.Text.Json;
using Flows.Cli.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Flows.Cli.Tests.Commands;

public sealed class DoctorVerbTests
{
    private const string Secret = "sk-live-DOCTORSECRET-77";

    [Test]
    public async Task Doctor_ChecksStoreSchemaClockAndSecrets_OneLineEach_WithoutShowingASecret()
    {
        await using var app = new CliApp(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:cli-api-key"] = Secret }));
        await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "doctor" }));

        var result = await app.RunAsync("doctor", "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        var lines = result.Lines.Where(l => l.Length > 0).ToList();
        Assert.That(lines.Single(l => l.StartsWith("ok", StringComparison.Ordinal) && l.Contains("store ", StringComparison.Ordinal)), Does.Contain("SQLite store at"));
        Assert.That(lines.Single(l => l.Contains("schema", StringComparison.Ordinal)), Does.StartWith("ok").And.Contain("the one this code writes"));
        Assert.That(lines.Single(l => l.Contains("clock", StringComparison.Ordinal)), Does.StartWith("ok"));
        Assert.That(lines.Single(l => l.Contains("secret cli-api-key", StringComparison.Ordinal)), Does.StartWith("ok").And.Contain("resolves"));
        Assert.That(result.Lines.Max(l => l.Length), Is.LessThanOrEqualTo(80), result.ToString());
        Assert.That(result.Output + result.Error, Does.Not.Contain("DOCTORSECRET"));
    }

    [Test]
    public async Task Doctor_FailsWithExitCode1_WhenASecretAFlowNeedsIsMissing()
    {
        await using var app = new CliApp(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:unused"] = Secret }));

        var result = await app.RunAsync("doctor", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.That(json.RootElement.GetProperty("healthy").GetBoolean(), Is.False);
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.That(checks["secret cli-api-key"].GetProperty("status").GetString(), Is.EqualTo("fail"));
        Assert.That(checks["secret cli-api-key"].GetProperty("message").GetString(), Does.Contain("flow cli-secret"));
        Assert.That(checks["store"].GetProperty("status").GetString(), Is.EqualTo("ok"));
        Assert.That(checks["schema"].GetProperty("status").GetString(), Is.EqualTo("warn"), "a new store: created on first start");
    }
}

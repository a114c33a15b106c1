using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.Configuration;

namespace Flows.Cli.Tests.Commands;

public sealed class InspectVerbTests
{
    [Test]
    public async Task Inspect_ShowsTheTreeWithAttemptsCacheHitsParametersAndArtifacts_InEightyColumns()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-report", RunParameters.Of(new { title = "inspect-tree" }));

        var result = await app.RunAsync("inspect", run.Id.ToString(), "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Output, Does.Contain("cli-report").And.Contain("Completed"));
        Assert.That(result.Output, Does.Contain("\"title\":\"inspect-tree\""), "parameters");
        Assert.That(result.Output, Does.Contain("4 under it: 1 cached, 0 failed"), result.ToString());
        Assert.That(result.Lines.Count(l => l.Contains("cli-square-cached", StringComparison.Ordinal)), Is.EqualTo(3), result.ToString());
        Assert.That(result.Lines.Single(l => l.Contains("cli-square-cached", StringComparison.Ordinal) && l.Contains("Cached", StringComparison.Ordinal)), Does.Contain("cache hit"));
        Assert.That(result.Lines.Single(l => l.Contains("cli-flaky", StringComparison.Ordinal)), Does.Contain("2 attempts"));
        Assert.That(result.Output, Does.Contain("summary (markdown): The report's summary"));
        Assert.That(result.Output, Does.Contain("Created    2030-").Or.Contain("Created"), "local times");
        Assert.That(result.Lines.Max(l => l.Length), Is.LessThanOrEqualTo(80), result.ToString());
    }

    [Test]
    public async Task Inspect_Json_IsTheDocumentedShape_WithChildrenTransitionsAndArtifacts()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-report", RunParameters.Of(new { title = "inspect-json" }));

        var result = await app.RunAsync("inspect", run.Id.ToString(), "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("run").GetProperty("id").GetGuid(), Is.EqualTo(run.Id));
        Assert.That(root.GetProperty("run").GetProperty("parameters").GetProperty("title").GetString(), Is.EqualTo("inspect-json"));
        var children = root.GetProperty("children").EnumerateArray().ToList();
        Assert.That(children.Select(c => c.GetProperty("run").GetProperty("name").GetString()),
            Is.EqualTo(new[] { "cli-square-cached", "cli-square-cached", "cli-square-cached", "cli-flaky" }), "oldest first");
        Assert.That(children.Select(c => c.GetProperty("cached").GetBoolean()), Is.EqualTo(new[] { false, false, true, false }));
        Assert.That(children[3].GetProperty("run").GetProperty("attempt").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetString()), Does.Contain(nameof(RunState.Completed)));
        var artifact = root.GetProperty("artifacts").EnumerateArray().Single();
        Assert.That(artifact.GetProperty("key").GetString(), Is.EqualTo("summary"));
        Assert.That(artifact.GetProperty("kind").GetString(), Is.EqualTo("Markdown"));
    }

    [Test]
    public async Task Inspect_ShowsAMapOfManyTasks_AsOneLineOfCounts()
    {
        await using var app = new CliApp();
        await app.Engine.RunAsync("cli-map", RunParameters.Of(new { count = 3 }));
        var run = await app.Engine.RunAsync("cli-map", RunParameters.Of(new { count = 25 }));

        var result = await app.RunAsync("inspect", run.Id.ToString(), "--no-color");
        var json = await app.RunAsync("inspect", run.Id.ToString(), "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Lines.Single(l => l.Contains("cli-square", StringComparison.Ordinal)), Does.Contain("cli-square ×25  22 Completed, 3 Cached"), result.ToString());
        using var document = JsonDocument.Parse(json.Output);
        Assert.That(document.RootElement.GetProperty("children").GetArrayLength(), Is.EqualTo(25), "JSON keeps every run");
    }

    [Test]
    public async Task Inspect_ShowsAFailedRunsError()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-fail", RunParameters.Of(new { reason = "the disk is full" }));

        var result = await app.RunAsync("inspect", run.Id.ToString(), "--no-color");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Lines.Single(l => l.StartsWith("Error", StringComparison.Ordinal)), Does.Contain("the disk is full"));
    }

    [TestCase("not-a-guid", "'not-a-guid' is not a run id")]
    [TestCase("0193a8f2-7c4e-7a31-9d2b-5e8f01c2a4b6", "No run 0193a8f2-7c4e-7a31-9d2b-5e8f01c2a4b6 in the store")]
    public async Task Inspect_RefusesAnUnknownRun_WithExitCode2(string id, string message)
    {
        await using var app = new CliApp();

        var result = await app.RunAsync("inspect", id);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
    }

    [Test]
    public async Task InspectAndLogs_NeverShowASecret()
    {
        const string secret = "sk-live-TOPSECRET-4242";
        await using var app = new CliApp(b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:cli-api-key"] = secret }));
        var run = await app.Engine.RunAsync("cli-secret-fail", RunParameters.Of(new { label = "nightly" }));
        Assert.That(run.State, Is.EqualTo(RunState.Failed));

        var outputs = new List<CliResult>();
        foreach (var args in new[] { new[] { "inspect" }, ["inspect", "--json"], ["logs"], ["logs", "--json"], ["runs", "--json"] })
        {
            outputs.Add(await app.RunAsync([.. args, .. args[0] == "runs" ? Array.Empty<string>() : [run.Id.ToString()]]));
        }

        Assert.That(outputs.Select(o => o.ExitCode), Is.All.EqualTo(ExitCodes.Success));
        Assert.That(outputs[0].Output + outputs[2].Output, Does.Contain("nightly"), "the outputs are about the run");
        foreach (var output in outputs)
        {
            Assert.That(output.Output + output.Error, Does.Not.Contain(secret).And.Not.Contain("TOPSECRET"), output.ToString());
        }
    }

    [Test]
    public async Task Inspect_ListsTheRunsNotifications_InTextAndJson()
    {
        await using var app = new CliApp();
        var run = await app.Engine.RunAsync("cli-fail", RunParameters.Of(new { reason = "the disk is full" }));
        var store = (INotificationStore)app.Engine.Store;
        var at = DateTimeOffset.UtcNow;
        NotificationRecord Note(string channel, NotificationStatus status) => new()
        {
            Id = Guid.CreateVersion7(), EventKey = "failures|" + run.Id + "|Failed|" + channel, IncidentKey = "failures|cli-fail|IOException", Rule = "failures",
            Channel = channel, Event = "Failed", RunId = run.Id, Flow = "cli-fail", Status = status, CreatedAt = at,
        };
        await store.TryClaimAsync(Note("slack", NotificationStatus.Sent) with { Attempts = 1, Count = 3, SentAt = at });
        await store.TryClaimAsync(Note("mail", NotificationStatus.Failed) with { Attempts = 4, Error = "SMTP server refused the connection" });
        await store.TryClaimAsync(Note("other-run", NotificationStatus.Sent) with { RunId = Guid.CreateVersion7() });

        var text = await app.RunAsync("inspect", run.Id.ToString(), "--no-color");
        var json = await app.RunAsync("inspect", run.Id.ToString(), "--json");

        Assert.That(text.ExitCode, Is.EqualTo(ExitCodes.Success), text.ToString());
        var lines = text.Lines.SkipWhile(l => l != "Notifications").ToList();
        Assert.That(lines, Has.Count.GreaterThanOrEqualTo(3), text.ToString());
        Assert.That(lines[1], Does.Contain("Failed → slack (rule failures)").And.Contain("Sent").And.Contain("×3 events"), text.ToString());
        Assert.That(lines[2], Does.Contain("Failed → mail").And.Contain("Failed  4 attempts").And.Contain("SMTP server refused"), text.ToString());
        Assert.That(text.Output, Does.Not.Contain("other-run"), "another run's notification");
        using var document = JsonDocument.Parse(json.Output);
        var notes = document.RootElement.GetProperty("notifications").EnumerateArray().ToList();
        Assert.That(notes.Select(n => (n.GetProperty("channel").GetString(), n.GetProperty("status").GetString(), n.GetProperty("attempts").GetInt32(), n.GetProperty("count").GetInt32())),
            Is.EqualTo(new[] { ("slack", "Sent", 1, 3), ("mail", "Failed", 4, 1) }));
        Assert.That(notes[1].GetProperty("error").GetString(), Is.EqualTo("SMTP server refused the connection"));
        Assert.That((notes[0].GetProperty("event").GetString(), notes[0].GetProperty("rule").GetString()), Is.EqualTo(("Failed", "failures")));
        Assert.That(notes[0].GetProperty("sentAt").ValueKind, Is.EqualTo(JsonValueKind.String));
    }
}

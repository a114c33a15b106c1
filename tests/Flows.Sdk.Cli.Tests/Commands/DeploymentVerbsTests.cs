using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Cli.Tests.Commands;

/// <summary><c>list</c>, <c>deployments pause|resume</c>, <c>backfill</c> and <c>run &lt;deployment&gt;</c> over an application with orchestration.</summary>
public sealed class DeploymentVerbsTests
{
    [Test]
    public async Task List_ShowsFlowsWithParameterTypesDefaultsAndSecrets_AndDeploymentsWithTheirNextSlot()
    {
        await using var app = await StartedAsync();

        var result = await app.RunAsync("list", "--no-color", "--utc");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        Assert.That(result.Output, Does.Contain("cli-greet").And.Contain("name: string").And.Contain("times: int = 1"));
        Assert.That(result.Output, Does.Contain("Says hello to someone"));
        Assert.That(result.Output, Does.Contain("apiKey: string (secret 'cli-api-key')"), "a secret parameter shows the secret's name, never a value");
        Assert.That(result.Output, Does.Contain("greet-daily").And.Contain("cron '0 6 * * *' in UTC"));
        Assert.That(result.Lines.Max(l => l.Length), Is.LessThanOrEqualTo(80), result.ToString());
    }

    [Test]
    public async Task List_Json_IsTheDocumentedShape()
    {
        await using var app = await StartedAsync();

        var result = await app.RunAsync("list", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        var greet = json.RootElement.GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "cli-greet");
        var times = greet.GetProperty("parameters")[1];
        Assert.That(times.GetProperty("name").GetString(), Is.EqualTo("times"));
        Assert.That(times.GetProperty("type").GetString(), Is.EqualTo("int"));
        Assert.That(times.GetProperty("required").GetBoolean(), Is.False);
        Assert.That(times.GetProperty("default").GetInt32(), Is.EqualTo(1));
        var deployment = json.RootElement.GetProperty("deployments").EnumerateArray().Single();
        Assert.That(deployment.GetProperty("name").GetString(), Is.EqualTo("greet-daily"));
        Assert.That(deployment.GetProperty("paused").GetBoolean(), Is.False);
        Assert.That(deployment.GetProperty("nextFireTime").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow));
        Assert.That(deployment.GetProperty("parameters").GetProperty("name").GetString(), Is.EqualTo("daily"));
    }

    [Test]
    public async Task PauseAndResume_AreStored_AndListShowsThePauseWithItsReason()
    {
        await using var app = await StartedAsync();

        var paused = await app.RunAsync("deployments", "pause", "greet-daily", "--reason", "vendor outage");
        var listedPaused = await app.RunAsync("list", "--json");
        var resumed = await app.RunAsync("deployments", "resume", "greet-daily");
        var listedResumed = await app.RunAsync("list", "--json");
        var unknown = await app.RunAsync("deployments", "pause", "greet-hourly");

        Assert.That(paused.ExitCode, Is.EqualTo(ExitCodes.Success), paused.ToString());
        Assert.That(paused.Output, Does.Contain("Paused greet-daily: vendor outage"));
        var deployment = Deployment(listedPaused);
        Assert.That(deployment.GetProperty("paused").GetBoolean(), Is.True);
        Assert.That(deployment.GetProperty("pauseReason").GetString(), Is.EqualTo("vendor outage"));
        Assert.That(deployment.GetProperty("pausedBy").GetString(), Does.Contain("deployments pause"));
        Assert.That(resumed.ExitCode, Is.EqualTo(ExitCodes.Success), resumed.ToString());
        Assert.That(Deployment(listedResumed).GetProperty("paused").GetBoolean(), Is.False);
        Assert.That(unknown.ExitCode, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(unknown.Error, Does.Contain("No deployment is named 'greet-hourly'. Deployments: greet-daily."));
    }

    [Test]
    public async Task Backfill_SchedulesThePastSlotsOfTheWindow_InTheLocalZoneUnlessUtc_AndTheyRun()
    {
        await using var app = await StartedAsync();
        var day = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-3);
        string Date(DateTime d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var result = await app.RunAsync("backfill", "greet-daily", "--from", Date(day), "--to", Date(day.AddDays(2)), "--utc", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.That(json.RootElement.GetProperty("scheduled").GetInt32(), Is.EqualTo(2));
        Assert.That(
            json.RootElement.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset()),
            Is.EqualTo(new[] { new DateTimeOffset(day.AddHours(6), TimeSpan.Zero), new DateTimeOffset(day.AddDays(1).AddHours(6), TimeSpan.Zero) }));
        await Eventually.UntilAsync(
            async () => (await app.Engine.Store.QueryRunsAsync(new RunQuery { Deployment = "greet-daily", State = RunState.Completed })).Count == 2,
            "both backfilled slots ran");
    }

    [TestCase("--from", "yesterday", "--from 'yesterday' is not a time")]
    [TestCase("--to", "2020-13-01", "--to '2020-13-01' is not a time")]
    public async Task Backfill_RefusesABadTime_NamingTheOption(string option, string value, string message)
    {
        await using var app = await StartedAsync();
        string[] args = option == "--from" ? ["--from", value, "--to", "2020-01-02"] : ["--from", "2020-01-01", "--to", value];

        var result = await app.RunAsync(["backfill", "greet-daily", .. args]);

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
    }

    [Test]
    public async Task Backfill_RefusesAWindowEndingInTheFuture_WithTheSchedulersReason()
    {
        await using var app = await StartedAsync();
        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var result = await app.RunAsync("backfill", "greet-daily", "--from", "2020-01-01", "--to", tomorrow, "--utc");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain("Backfill of deployment 'greet-daily': 'to' (").And.Contain("is in the future"));
        Assert.That(result.Error, Does.Not.Contain("(Parameter"));
    }

    [Test]
    public async Task Run_ADeploymentOnAQueue_TakesParametersOverItsOwn_InItsOwnQueueOnly()
    {
        await using var app = await StartedAsync();

        var refused = await app.RunAsync("run", "greet-daily", "--queue", "elsewhere", "--param", "times=2");
        var queued = await app.RunAsync("run", "greet-daily", "--queue", "--param", "times=2", "--watch", "--json");

        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.BadInput), refused.ToString());
        Assert.That(refused.Error, Does.Contain("Deployment 'greet-daily' is queued in its own queue 'default'"));
        Assert.That(queued.ExitCode, Is.EqualTo(ExitCodes.Success), queued.ToString());
        using var json = JsonDocument.Parse(queued.Output);
        Assert.That(json.RootElement.GetProperty("deployment").GetString(), Is.EqualTo("greet-daily"));
        Assert.That(json.RootElement.GetProperty("result").GetString(), Is.EqualTo("Hello daily. Hello daily. "), "times=2 over the deployment's parameters");
    }

    [Test]
    public async Task Run_ADeployment_RunsItsFlowWithItsParameters_RecordedUnderItsName()
    {
        await using var app = await StartedAsync();

        var result = await app.RunAsync("run", "greet-daily", "--param", "times=2", "--json");

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.Success), result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        Assert.That(json.RootElement.GetProperty("deployment").GetString(), Is.EqualTo("greet-daily"));
        Assert.That(json.RootElement.GetProperty("result").GetString(), Is.EqualTo("Hello daily. Hello daily. "));
    }

    [Test]
    public async Task Run_WithQueue_QueuesTheRun_AndWatchFollowsItToItsEnd()
    {
        await using var app = await StartedAsync();

        var queued = await app.RunAsync("run", "cli-greet", "--param", "name=Bo", "--queue", "--json");
        var watched = await app.RunAsync("run", "cli-fail", "--param", "reason=queued failure", "--queue", "default", "--watch", "--no-color");

        Assert.That(queued.ExitCode, Is.EqualTo(ExitCodes.Success), queued.ToString());
        using var json = JsonDocument.Parse(queued.Output);
        var id = json.RootElement.GetProperty("id").GetGuid();
        Assert.That(json.RootElement.GetProperty("queue").GetString(), Is.EqualTo("default"));
        await Eventually.UntilAsync(async () => (await app.Engine.Store.GetRunAsync(id))?.State == RunState.Completed, "the queued run completed");
        Assert.That(watched.ExitCode, Is.EqualTo(ExitCodes.RunNotCompleted), watched.ToString());
        Assert.That(watched.Output, Does.Contain("of cli-fail: Failed").And.Contain("queued failure"));
    }

    private static JsonElement Deployment(CliResult listed)
    {
        using var json = JsonDocument.Parse(listed.Output);
        return json.RootElement.GetProperty("deployments")[0].Clone();
    }

    /// <summary>An application with one deployment, serving (its deployments reconciled into the job store), stopped when disposed.</summary>
    private static async Task<StartedApp> StartedAsync()
    {
        var app = new CliApp(b => b.Services.AddOrchestration(o => o
            .Deploy("greet-daily", "cli-greet", d => d.Cron("0 6 * * *", "UTC").Parameters(new { name = "daily" }))));
        await app.Host.StartAsync();
        return new StartedApp(app);
    }

    private sealed class StartedApp(CliApp app) : IAsyncDisposable
    {
        public FlowEngine Engine => app.Engine;

        public Task<CliResult> RunAsync(params string[] args) => app.RunAsync(args);

        public async ValueTask DisposeAsync()
        {
            await app.Host.StopAsync();
            await app.DisposeAsync();
        }
    }
}

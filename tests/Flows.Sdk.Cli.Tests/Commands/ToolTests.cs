using System.Text.Json;
using Flows.Cli.Tests.Support;
using Flows.Runs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Cli.Tests.Commands;

/// <summary>The standalone tool (no application code) over a store named by --store, FLOWS_HOME or Flows__Store__* variables.</summary>
public sealed class ToolTests
{
    [Test]
    public async Task Tool_ReadsASqliteStoreNamedByStoreOrFlowsHome()
    {
        await using var app = new CliApp();
        var report = await app.Engine.RunAsync("cli-report", RunParameters.Of(new { title = "tool" }));
        await app.Engine.RunAsync("cli-fail", RunParameters.Of(new { reason = "tool failure" }));
        var folder = Path.GetDirectoryName(app.StorePath)!;

        var byFile = await ToolProcess.RunAsync(folder, null, "runs", "--json", "--store", app.StorePath);
        var byFolder = await ToolProcess.RunAsync(folder, null, "inspect", $"--store={folder}", report.Id.ToString());
        var byHome = await ToolProcess.RunAsync(folder, new Dictionary<string, string> { ["FLOWS_HOME"] = folder }, "logs", report.Id.ToString(), "--json");

        Assert.That(byFile.ExitCode, Is.EqualTo(ExitCodes.Success), byFile.ToString());
        using (var json = JsonDocument.Parse(byFile.Output))
        {
            Assert.That(json.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("name").GetString()), Is.EqualTo(new[] { "cli-fail", "cli-report" }));
        }

        Assert.That(byFolder.ExitCode, Is.EqualTo(ExitCodes.Success), byFolder.ToString());
        Assert.That(byFolder.Output, Does.Contain("cli-flaky").And.Contain("2 attempts"));
        Assert.That(byHome.ExitCode, Is.EqualTo(ExitCodes.Success), byHome.ToString());
        using (var json = JsonDocument.Parse(byHome.Output))
        {
            Assert.That(json.RootElement.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("message").GetString()), Does.Contain("Report tool is 34"));
        }
    }

    [Test]
    public async Task Tool_ReadsAPostgreSqlStore_FromTheEnvironmentOrAConnectionString()
    {
        var schema = TestPostgres.NewSchemaName("cli_tool_");
        try
        {
            var environment = new Dictionary<string, string> { ["Flows__Store__ConnectionString"] = TestServices.Postgres, ["Flows__Store__Schema"] = schema };
            await using var app = new CliApp(b =>
            {
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flows:Store:ConnectionString"] = TestServices.Postgres, ["Flows:Store:Schema"] = schema });
                b.Services.AddFlowsPostgreSqlStore();
            });
            var run = await app.Engine.RunAsync("cli-greet", RunParameters.Of(new { name = "Grace" }));
            var folder = Path.GetDirectoryName(app.StorePath)!;

            var fromEnvironment = await ToolProcess.RunAsync(folder, environment, "runs", "--json");
            var fromOption = await ToolProcess.RunAsync(folder, new Dictionary<string, string> { ["Flows__Store__Schema"] = schema }, "inspect", run.Id.ToString(), "--json", "--store", TestServices.Postgres);
            var doctor = await ToolProcess.RunAsync(folder, environment, "doctor", "--json");

            Assert.That(fromEnvironment.ExitCode, Is.EqualTo(ExitCodes.Success), fromEnvironment.ToString());
            using (var json = JsonDocument.Parse(fromEnvironment.Output))
            {
                Assert.That(json.RootElement.GetProperty("runs").EnumerateArray().Single().GetProperty("id").GetGuid(), Is.EqualTo(run.Id));
            }

            Assert.That(fromOption.ExitCode, Is.EqualTo(ExitCodes.Success), fromOption.ToString());
            using (var json = JsonDocument.Parse(fromOption.Output))
            {
                Assert.That(json.RootElement.GetProperty("run").GetProperty("state").GetString(), Is.EqualTo(nameof(RunState.Completed)));
            }

            Assert.That(doctor.ExitCode, Is.EqualTo(ExitCodes.Success), doctor.ToString());
            using (var json = JsonDocument.Parse(doctor.Output))
            {
                var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
                Assert.That(checks, Does.ContainKey("store").And.ContainKey("schema").And.ContainKey("clock").And.ContainKey("secrets"));
                Assert.That(checks["clock"], Is.EqualTo("ok"), doctor.Output);
                Assert.That(checks["schema"], Is.EqualTo("ok"), doctor.Output);
            }

            Assert.That(File.Exists(app.StorePath), Is.False, "the PostgreSQL store was read, no SQLite file made");
        }
        finally
        {
            await TestPostgres.DropSchemaAsync(TestServices.Postgres, schema);
        }
    }

    [TestCase("runs --store", "--store needs a value")]
    [TestCase("runs --store missing.db", "--store 'missing.db': there is no store at")]
    [TestCase("runs", "There is no store at")]
    [TestCase("runs --store a.db --store=b.db", "--store is given twice")]
    public async Task Tool_RefusesAStoreItCannotFind_WithExitCode2_AndCreatesNone(string args, string message)
    {
        using var folder = TempFolder.Create("flows-tool-");

        var result = await ToolProcess.RunAsync(folder.Path, null, args.Split(' '));

        Assert.That(result.ExitCode, Is.EqualTo(ExitCodes.BadInput), result.ToString());
        Assert.That(result.Error, Does.Contain(message));
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty, "no store file is created");
    }
}

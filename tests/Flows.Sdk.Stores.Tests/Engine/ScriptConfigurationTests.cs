using Flows.Engine;
using Flows.Runs;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Flows.Stores.Tests.Engine;

/// <summary>
/// A console script's zero-configuration engine reads configuration as a host would: appsettings.json and
/// appsettings.{DOTNET_ENVIRONMENT}.json from the current directory, then Flows__* environment variables.
/// </summary>
public sealed class ScriptConfigurationTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task AScript_HonoursAppsettings_TheEnvironmentsFile_AndEnvironmentVariables(CancellationToken cancellationToken)
    {
        using var folder = TestStores.NewFolder();
        await File.WriteAllTextAsync(folder.File("appsettings.json"), """
            {
              "Flows": {
                "Tasks": { "script-flaky": { "Retries": 1 } },
                "Limits": { "script_slot": 5 },
                "Secrets": { "Providers": [ "configuration" ] }
              },
              "Secrets": { "script-token": "tok-4f1c2e" }
            }
            """, cancellationToken);
        await File.WriteAllTextAsync(folder.File("appsettings.Staging.json"), """{ "Flows": { "Tasks": { "script-flaky": { "Retries": 2 } } } }""", cancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Staging",
            ["Flows__Limits__script_slot"] = "1",

            // Found first by the default providers; Flows:Secrets:Providers says to ask configuration only.
            ["SCRIPT_TOKEN"] = "from-the-environment",
        };

        using var script = ScriptProcess.Start(folder.Path, environment, "configured");
        var exited = await script.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        await using var store = new SqliteRunStore(folder.File("flows.db"));
        var flow = (await store.QueryRunsAsync(new RunQuery { Name = "script-configured" }, cancellationToken)).Single();
        var details = (await store.GetRunDetailsAsync(flow.Id, cancellationToken))!;
        var flaky = details.TaskRuns.Single(r => r.Name == "script-flaky");
        Assert.Multiple(() =>
        {
            Assert.That(exited, Is.Zero, script.Transcript);
            Assert.That(flow.State, Is.EqualTo(RunState.Completed), flow.Error);
            Assert.That((flaky.State, flaky.Attempt), Is.EqualTo((RunState.Completed, 3)), "appsettings.Staging.json gives two retries");
            Assert.That(script.Transcript, Does.Contain("MOST-IN-SLOT 1"), "Flows__Limits__script_slot wins over appsettings.json");
            Assert.That(script.Transcript, Does.Contain("SECRET-LENGTH 10"), "Flows:Secrets:Providers names configuration alone");
            Assert.That(details.Logs.Select(l => l.Message), Has.Some.EqualTo("Resolved the token ***"));
        });
    }

    [Test]
    public async Task AMalformedAppsettingsFile_FailsNamingTheFile()
    {
        using var folder = TestStores.NewFolder();
        await File.WriteAllTextAsync(folder.File("appsettings.json"), """{ "Flows": { "Limits": { "db": 1, } """);

        var error = Assert.Throws<InvalidDataException>(() => ScriptConfiguration.Build(folder.Path));

        Assert.That(error!.Message, Does.Contain(folder.File("appsettings.json")));
    }

    [TestCase("-1")]
    [TestCase("3601")]
    [TestCase("five")]
    public void AShutdownTimeoutOutOfRange_FailsNamingTheSettingAndTheRange(string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Flows:ShutdownTimeoutSeconds", value)]).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ScriptLifetime.Timeout(configuration));

        Assert.That(error!.Message, Does.Contain($"'Flows:ShutdownTimeoutSeconds' = '{value}'").And.Contain("from 0 to 3600"));
    }
}

using Flows.Redshift.Tests.Fixtures;
using Flows.Stores;
using Flows.Stores.Sqlite;

namespace Flows.Redshift.Tests.Connections;

/// <summary>
/// Host, port, database and user name are configuration, not secrets: only the password is masked. These tests set
/// the process's REDSHIFT_* variables, so they never run alongside the other tests.
/// </summary>
[NonParallelizable]
public sealed class ConnectionFactsTests
{
    private static readonly string[] Variables = ["REDSHIFT_HOST", "REDSHIFT_PORT", "REDSHIFT_DATABASE", "REDSHIFT_USERNAME", "REDSHIFT_PASSWORD"];

    private string _folder = null!;

    [SetUp]
    public void Create()
    {
        // Never run over a developer's own credential.
        Assume.That(Variables.Select(Environment.GetEnvironmentVariable), Is.All.Null);
        _folder = Directory.CreateTempSubdirectory("flows-rs-facts-").FullName;
    }

    [TearDown]
    public void Clear()
    {
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task ConnectionFacts_AreNotMasked_InStoredResults_ButThePasswordIs()
    {
        const string password = "pw-5439-Zq8rT";
        Environment.SetEnvironmentVariable("REDSHIFT_HOST", "analytics.abc123.us-east-1.redshift.amazonaws.com");
        Environment.SetEnvironmentVariable("REDSHIFT_PORT", "5439");
        Environment.SetEnvironmentVariable("REDSHIFT_DATABASE", "warehouse");
        Environment.SetEnvironmentVariable("REDSHIFT_USERNAME", "loader");
        Environment.SetEnvironmentVariable("REDSHIFT_PASSWORD", password);
        var path = Path.Combine(_folder, "flows.db");

        // The engine a console script gets: the default secret providers (environment variables first) and SQLite.
        await using (var written = new SqliteRunStore(path))
        {
            await using var engine = new FlowEngine(new FlowEngineOptions { Store = written });
            using (engine.Use())
            {
                Assert.That(await new CivisCredentialFlow().Run(), Is.EqualTo(CivisCredentialFlow.Total));
            }

            await engine.FlushAsync();
        }

        await using var store = new SqliteRunStore(path);
        var runs = await store.QueryRunsAsync(new RunQuery());
        var flow = runs.Single(r => r.Name == "rs-civis-credential");
        var port = runs.Single(r => r.Name == "rs-civis-port");
        var line = (await store.GetLogsAsync(flow.Id)).Single(l => l.Message.StartsWith("Connecting", StringComparison.Ordinal)).Message;
        Assert.Multiple(() =>
        {
            Assert.That(flow.Result, Is.EqualTo("154390"));
            Assert.That(port.Result, Is.EqualTo("5439"));
            Assert.That(line, Is.EqualTo("Connecting to analytics.abc123.us-east-1.redshift.amazonaws.com:5439/warehouse as loader with password ***"));
        });
    }
}

using CivisMigration;
using Flows.Redshift.Tests.Support;
using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Flows.Redshift.Tests;

/// <summary>samples/CivisMigration, run as its README says, against the test PostgreSQL.</summary>
[NonParallelizable] // The sample sets Serilog's global logger and writes to the console.
public sealed class CivisMigrationSampleTests
{
    [Test]
    public async Task Sample_RunsEndToEnd_AndAgainWithTheSameResult()
    {
        await using var schema = await TestSchema.CreateAsync();
        string[] args = ["--connection-string", schema.ConnectionString, "--schema", schema.Name, "--since", "2024-05-01"];

        using var home = new TemporaryFolder();
        var configuration = Configuration(("Flows:Store:Path", Path.Combine(home.Path, "flows.db")));

        var first = await CivisMigrationApp.RunAsync(args, configuration);
        var second = await CivisMigrationApp.RunAsync(args, configuration);

        Assert.That((first, second), Is.EqualTo((0, 0)));
        Assert.That(await schema.ScalarAsync<long>("SELECT COUNT(*) FROM raw_signups"), Is.EqualTo(SignupApiStub.All.Count), "the second run upserted the same rows");
        Assert.That(await schema.ScalarAsync<long>("SELECT SUM(signups) FROM daily_signups"), Is.EqualTo(SignupApiStub.All.Count));
        Assert.That(await schema.ScalarAsync<long>("SELECT SUM(signups) FROM daily_signups WHERE source = 'unknown'"), Is.EqualTo(SignupApiStub.All.Count(s => s.Source is null)));
    }

    [Test]
    public async Task Sample_WithoutACredentialPassword_ExitsWithUsageError()
    {
        // No REDSHIFT_* variables in the test environment (guarded so a developer's own never leak in).
        Assume.That(Environment.GetEnvironmentVariable("REDSHIFT_PASSWORD"), Is.Null);
        Environment.SetEnvironmentVariable("REDSHIFT_USERNAME", "etl");
        try
        {
            using var home = new TemporaryFolder();
            Assert.That(await CivisMigrationApp.RunAsync([], Configuration(("Flows:Store:Path", Path.Combine(home.Path, "flows.db")))), Is.EqualTo(2));
        }
        finally
        {
            Environment.SetEnvironmentVariable("REDSHIFT_USERNAME", null);
        }
    }

    [Test]
    public async Task Sample_WithNoStoreConfigured_KeepsItsHistoryInTheSqliteFile()
    {
        await using var schema = await TestSchema.CreateAsync();
        using var home = new TemporaryFolder();

        var exit = await CivisMigrationApp.RunAsync(["--connection-string", schema.ConnectionString, "--schema", schema.Name], Configuration(("Flows:Home", home.Path)));

        Assert.That(exit, Is.Zero);
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(home.Path, "flows.db") });
        var runs = await store.QueryRunsAsync(new RunQuery { Name = "daily-signups" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Completed }));
    }

    [Test]
    public async Task Sample_WithAStoreConnectionString_KeepsItsHistoryInPostgreSql()
    {
        await using var schema = await TestSchema.CreateAsync();
        var configuration = Configuration(("Flows:Store:ConnectionString", schema.Server + ";SSL Mode=Disable"), ("Flows:Store:Schema", schema.Name));

        var exit = await CivisMigrationApp.RunAsync(["--connection-string", schema.ConnectionString, "--schema", schema.Name], configuration);

        Assert.That(exit, Is.Zero);
        await using var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions { ConnectionString = schema.Server + ";SSL Mode=Disable", Schema = schema.Name });
        var runs = await store.QueryRunsAsync(new RunQuery { Name = "daily-signups" });
        Assert.That(runs.Select(r => r.State), Is.EqualTo(new[] { RunState.Completed }));
        var details = await store.GetRunDetailsAsync(runs[0].Id);
        Assert.That(details!.TaskRuns.Select(c => c.Name), Is.SupersetOf(new[] { "pull-signups", "load-raw-signups", "refresh-daily-signups" }));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>A folder of its own for a test's SQLite file, removed at the end.</summary>
    private sealed class TemporaryFolder : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("flows-civis-sample-");

        public string Path => _folder.FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _folder.Delete(recursive: true);
        }
    }
}

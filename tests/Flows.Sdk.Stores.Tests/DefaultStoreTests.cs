using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Flows.Stores.Tests;

/// <summary>Where history goes when nothing says otherwise, and what a run meets when its store is unusable.</summary>
public sealed class DefaultStoreTests
{
    [Test]
    public void TheDefaultStore_IsFlowsDbInTheUsersFlowsFolder_OrWhereConfigurationSays()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fromHome = SqliteRunStoreOptions.FromConfiguration(Configuration(("Flows:Home", "/srv/flows")));
        var fromPath = SqliteRunStoreOptions.FromConfiguration(Configuration(("Flows:Home", "/srv/flows"), ("Flows:Store:Path", "/data/runs.db")));

        Assert.That(fromHome.Path, Is.EqualTo(Path.Combine("/srv/flows", "flows.db")));
        Assert.That(fromPath.Path, Is.EqualTo("/data/runs.db"));
        if (Environment.GetEnvironmentVariable(SqliteRunStoreOptions.HomeVariable) is not { Length: > 0 })
        {
            Assert.That(SqliteRunStoreOptions.FromEnvironment().Path, Is.EqualTo(Path.Combine(home, ".flows", "flows.db")));
        }
    }

    [Test]
    public void ConfigurationNamingAnUnknownProvider_FailsWithTheSetting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RunStoreConfiguration.Create(Configuration(("Flows:Store:Provider", "oracle"))));

        Assert.That(error!.Message, Does.Contain("'Flows:Store:Provider' = 'oracle'"));
    }

    [Test]
    public async Task AFlowOnAStoreThatCannotBeOpened_FailsAtTheCall_NamingTheStore()
    {
        using var folder = TestStores.NewFolder();
        var path = folder.File("flows.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));
        await using var store = new SqliteRunStore(path);
        await using var engine = new FlowEngine(new FlowEngineOptions { Store = store });
        using var scope = engine.Use();

        var error = Assert.ThrowsAsync<RunStoreException>(() => StoreJobs.Sync(["OH"]));

        Assert.That(error!.Message, Does.Contain(path).And.Contain("not a SQLite database"));
        Assert.That(await File.ReadAllTextAsync(path), Is.EqualTo(new string('x', 4096)));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}

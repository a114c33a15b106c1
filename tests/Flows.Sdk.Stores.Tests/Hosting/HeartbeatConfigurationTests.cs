using Flows.Stores;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Stores.Tests.Hosting;

/// <summary>The stores' heartbeat from configuration (<c>Flows:Store:HeartbeatInterval</c>, <c>Flows:Store:HeartbeatTimeout</c>), its defaults and its checks.</summary>
public sealed class HeartbeatConfigurationTests
{
    [Test]
    public void ThePostgreSqlStore_BeatsEvery5SecondsWithATimeoutOf10_UnlessConfigurationSaysOtherwise()
    {
        var byDefault = PostgreSqlStore();
        var configured = PostgreSqlStore(("Flows:Store:HeartbeatInterval", "00:00:02"), ("Flows:Store:HeartbeatTimeout", "00:00:07.5"));

        Assert.That((byDefault.HeartbeatInterval, byDefault.HeartbeatTimeout), Is.EqualTo((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10))));
        Assert.That((configured.HeartbeatInterval, configured.HeartbeatTimeout), Is.EqualTo((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7.5))));
    }

    [Test]
    public void TheSqliteStore_KeepsItsDefaultsOf10And60Seconds_AndTakesConfiguredOnes()
    {
        var byDefault = SqliteRunStoreOptions.FromConfiguration(Configuration(("Flows:Store:Path", "/tmp/x.db")));
        var configured = SqliteRunStoreOptions.FromConfiguration(Configuration(("Flows:Store:HeartbeatInterval", "00:00:03"), ("Flows:Store:HeartbeatTimeout", "00:00:09")));

        Assert.That((byDefault.HeartbeatInterval, byDefault.HeartbeatTimeout), Is.EqualTo((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60))));
        Assert.That((configured.HeartbeatInterval, configured.HeartbeatTimeout), Is.EqualTo((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9))));
    }

    [Test]
    public void AHeartbeatTimeoutNoLongerThanTheInterval_FailsNamingTheSettingAndWhatItMustBe()
    {
        var error = Assert.Catch<ArgumentOutOfRangeException>(() => PostgreSqlStore(("Flows:Store:HeartbeatInterval", "00:00:10"), ("Flows:Store:HeartbeatTimeout", "00:00:10")));

        Assert.That(error!.Message, Does.Contain("Flows:Store:HeartbeatTimeout").And.Contain("must be longer than the heartbeat interval, 00:00:10").And.Contain("PostgreSQL store"));
    }

    [Test]
    public void AHeartbeatIntervalOfZero_FailsNamingTheSetting()
    {
        using var folder = TestStores.NewFolder();
        var options = SqliteRunStoreOptions.FromConfiguration(Configuration(("Flows:Store:Path", folder.File("flows.db")), ("Flows:Store:HeartbeatInterval", "00:00:00")));

        var error = Assert.Catch<ArgumentOutOfRangeException>(() => new SqliteRunStore(options).Dispose());

        Assert.That(error!.Message, Does.Contain("Flows:Store:HeartbeatInterval").And.Contain("longer than zero"));
    }

    [Test]
    public void ABareNumberForAHeartbeatSetting_FailsSayingWhichFormIsExpected()
    {
        var error = Assert.Catch<ArgumentException>(() => PostgreSqlStore(("Flows:Store:HeartbeatInterval", "5")));

        Assert.That(error!.Message, Does.Contain("'Flows:Store:HeartbeatInterval' = '5'").And.Contain("00:00:05"));
    }

    /// <summary>The store AddFlowsPostgreSqlStore registers for this configuration; never opened, and disposed with its services.</summary>
    private static Flows.Stores.PostgreSql.PostgreSqlRunStore PostgreSqlStore(params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration([("ConnectionStrings:Flows", TestStores.PostgresConnectionString), .. settings]));
        services.AddFlowsPostgreSqlStore();
        using var provider = services.BuildServiceProvider();
        return (Flows.Stores.PostgreSql.PostgreSqlRunStore)provider.GetRequiredService<IRunStore>();
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}

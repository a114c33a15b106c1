using Flows.Runs;
using Flows.Stores;
using Flows.Stores.PostgreSql;
using Flows.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Flows.Stores.Tests.Recording;

/// <summary>
/// A store that could not be opened (its folder not writable yet, its server not up yet) is opened again by a later
/// use, after a short backoff on its clock, and its error says what stopped it and which setting chose the place.
/// </summary>
public sealed class StoreOpenRetryTests
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    [TearDown]
    public void ReleaseFiles() => SqliteConnection.ClearAllPools();

    [TestCase("Flows:Store:Path")]
    [TestCase("Flows:Home")]
    [TestCase(SqliteRunStoreOptions.HomeVariable)]
    [TestCase("SqliteRunStoreOptions.Path")]
    public async Task AFolderThatCannotBeCreatedYet_FailsNamingThePathAndTheSettingThatChoseIt_AndALaterWriteOpensTheStore(string setting)
    {
        using var folder = TestStores.NewFolder();
        var home = folder.File("home");

        // A file where the folder should be: not even root can create the store under it.
        await File.WriteAllTextAsync(home, "not a folder");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = OptionsChosenBy(setting, home);
        options.TimeProvider = time;
        await using var store = new SqliteRunStore(options);
        var run = TestStores.RunningFlow("late", time.GetUtcNow());

        var error = Assert.ThrowsAsync<RunStoreException>(async () => await ((IRunStore)store).SaveRunAsync(run));
        Assert.That(error!.Message, Does.Contain(home).And.Contain(setting));

        File.Delete(home);
        Directory.CreateDirectory(home);
        time.Advance(FirstBackoff);
        await ((IRunStore)store).SaveRunAsync(run);

        Assert.That((await store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));
    }

    [Test]
    public async Task AStoreThatFailedToOpen_IsNotTriedAgainUntilItsBackoffHasPassed()
    {
        using var folder = TestStores.NewFolder();
        var home = folder.File("home");
        await File.WriteAllTextAsync(home, "not a folder");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(home, "flows.db"), TimeProvider = time });
        var first = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());
        File.Delete(home);
        Directory.CreateDirectory(home);

        var again = Assert.ThrowsAsync<RunStoreException>(async () => await store.OpenAsync());
        time.Advance(FirstBackoff);

        Assert.That(again, Is.SameAs(first), "within the backoff the last failure is reported, and nothing is tried");
        Assert.That(async () => await store.OpenAsync(), Throws.Nothing);
    }

    [Test]
    public async Task AServerThatIsNotUpYet_IsTriedAgainByALaterWrite()
    {
        var schema = TestStores.NewSchema();
        var server = new NpgsqlConnectionStringBuilder(TestStores.PostgresConnectionString);
        var port = TcpForwarder.FreePort();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new PostgreSqlRunStore(new PostgreSqlRunStoreOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString,
            Schema = schema,
            TimeProvider = time,
        });
        try
        {
            var run = TestStores.RunningFlow("early", time.GetUtcNow());
            var error = Assert.ThrowsAsync<RunStoreException>(async () => await ((IRunStore)store).SaveRunAsync(run));
            Assert.That(error!.Message, Does.Contain("could not be reached"));
            Assert.That(((IRunStore)store).IsTransient(error), Is.True, "the recorder keeps the writes and offers them again");

            await using var up = TcpForwarder.Start(port, server.Host!, server.Port);
            time.Advance(FirstBackoff);
            await ((IRunStore)store).SaveRunAsync(run);

            Assert.That((await store.GetRunAsync(run.Id))!.State, Is.EqualTo(RunState.Running));

            // While the server is still reachable, so the store unregisters.
            await store.DisposeAsync();
        }
        finally
        {
            await store.DisposeAsync();
            await TestStores.DropSchemaAsync(schema);
        }
    }

    /// <summary>Options whose path the given setting chose, the way an application's configuration would.</summary>
    private static SqliteRunStoreOptions OptionsChosenBy(string setting, string home)
    {
        var file = Path.Combine(home, "flows.db");
        switch (setting)
        {
            case SqliteRunStoreOptions.HomeVariable:
                var before = Environment.GetEnvironmentVariable(setting);
                Environment.SetEnvironmentVariable(setting, home);
                try
                {
                    return SqliteRunStoreOptions.FromEnvironment();
                }
                finally
                {
                    Environment.SetEnvironmentVariable(setting, before);
                }

            case "SqliteRunStoreOptions.Path":
                return new SqliteRunStoreOptions { Path = file };
            default:
                var configuration = new ConfigurationBuilder()
                    .AddInMemoryCollection([new KeyValuePair<string, string?>(setting, setting == "Flows:Home" ? home : file)])
                    .Build();
                return SqliteRunStoreOptions.FromConfiguration(configuration);
        }
    }
}

using Flows.Stores.Sql;
using Flows.Stores.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Stores.Tests;

/// <summary>What <c>flows doctor</c> asks a SQL store: its schema version without migrating it, and the database's clock.</summary>
public sealed class StoreFactsTests
{
    [Test]
    public async Task ASqliteFile_ReportsItsSchemaVersion_WithoutBeingMigrated_AndThisMachinesClock()
    {
        using var folder = TestStores.NewFolder();
        var path = folder.File("flows.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = path, TimeProvider = time });

        var before = await store.GetSchemaStatusAsync();
        await store.OpenAsync();
        var after = await store.GetSchemaStatusAsync();

        Assert.That((before.DatabaseVersion, before.IsCurrent), Is.EqualTo(((int?)null, false)), "asking migrates nothing");
        Assert.That((after.DatabaseVersion, after.LatestVersion, after.IsCurrent, after.IsNewer), Is.EqualTo(((int?)SqlSchema.Latest, SqlSchema.Latest, true, false)));
        Assert.That(await store.GetDatabaseTimeAsync(), Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public async Task APostgreSqlSchema_ReportsItsSchemaVersion_WithoutBeingMigrated_AndTheServersClock()
    {
        var schema = TestStores.NewSchema();
        try
        {
            await using var store = TestStores.Postgres(schema);
            var before = await store.GetSchemaStatusAsync();
            await store.OpenAsync();
            var after = await store.GetSchemaStatusAsync();
            var serverTime = await store.GetDatabaseTimeAsync();

            Assert.That(before.DatabaseVersion, Is.Null, "asking migrates nothing");
            Assert.That(after.IsCurrent, Is.True);
            Assert.That(serverTime, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)), "the server shares this machine's clock here");
        }
        finally
        {
            await TestStores.DropSchemaAsync(schema);
        }
    }
}

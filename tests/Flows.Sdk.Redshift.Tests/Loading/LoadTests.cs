using System.ComponentModel.DataAnnotations.Schema;
using Flows.Redshift.Loading;
using Flows.Redshift.Tests.Support;
using Npgsql;

namespace Flows.Redshift.Tests.Loading;

/// <summary>Table loads through batched INSERTs (the path PostgreSQL runs), each test in its own schema.</summary>
public sealed class LoadTests : SchemaTest
{
    [Test]
    public async Task Load_CreatesTheTableFromTheRowType_AndKeepsEveryValue()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        Signup[] rows =
        [
            new(1, "ada@example.org", new DateOnly(2024, 1, 2), 10.5m, true, new DateTime(2024, 1, 2, 3, 4, 5), Channel.Web),
            new(2, null, new DateOnly(2024, 1, 3), null, false, null, Channel.Phone),
        ];

        var loaded = await database.LoadAsync(rows, "signups");

        Assert.That(loaded, Is.EqualTo(2));
        var back = await database.QueryAsync<Signup>("SELECT id, email, day, amount, verified, seenat AS SeenAt, channel FROM signups ORDER BY id");
        Assert.That(back, Is.EqualTo(rows));
    }

    [Test]
    public async Task Load_Fail_RefusesAnExistingTable_AndLeavesItAlone()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.LoadAsync([new Keyed(1, "old")], "items");

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.LoadAsync([new Keyed(2, "new")], "items"));

        Assert.That(error!.Message, Is.EqualTo("Table items already exists and LoadOptions.ExistingRows is Fail; choose Truncate, Append, Drop or Upsert."));
        Assert.That(await Names(database), Is.EqualTo(new[] { "old" }));
    }

    [TestCase(ExistingRows.Append, new[] { "a", "b", "c" })]
    [TestCase(ExistingRows.Truncate, new[] { "c" })]
    [TestCase(ExistingRows.Drop, new[] { "c" })]
    public async Task Load_TreatsExistingRowsAsAsked(ExistingRows existing, string[] expected)
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.LoadAsync([new Keyed(1, "a"), new Keyed(2, "b")], "items");

        await database.LoadAsync([new Keyed(3, "c")], "items", new LoadOptions { ExistingRows = existing });

        Assert.That(await Names(database), Is.EqualTo(expected));
    }

    [Test]
    public async Task Load_Drop_RecreatesTheTableWithTheNewShape()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await Schema.ExecuteAsync("CREATE TABLE items (id int, name varchar(5), extra int)");

        await database.LoadAsync([new Keyed(1, "longer than five")], "items", new LoadOptions { ExistingRows = ExistingRows.Drop });

        Assert.That(await database.QueryAsync<long>("SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'items' AND table_schema = current_schema()"), Is.EqualTo(new[] { 2L }));
    }

    [Test]
    public async Task Load_Upsert_ReplacesMatchingKeysAndAddsTheRest_ThroughAStagingTable()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await database.LoadAsync([new Keyed(1, "a"), new Keyed(2, "b")], "items");

        await database.LoadAsync([new Keyed(2, "b2"), new Keyed(3, "c")], "items", new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["Id"] });

        Assert.That(await database.QueryAsync<Keyed>("SELECT id, name FROM items ORDER BY id"), Is.EqualTo(new[] { new Keyed(1, "a"), new Keyed(2, "b2"), new Keyed(3, "c") }));
        Assert.That(await database.QueryAsync<long>("SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'flows_stage_%'"), Is.EqualTo(new[] { 0L }), "the staging table is gone");
    }

    [Test]
    public async Task Load_Upsert_WithoutKeys_IsRefusedBeforeAnythingRuns()
    {
        await using var database = new RedshiftDatabase(Schema.Options());

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.LoadAsync([new Keyed(1, "a")], "items", new LoadOptions { ExistingRows = ExistingRows.Upsert }));

        Assert.That(error!.Message, Does.Contain("ExistingRows.Upsert needs LoadOptions.Keys"));
        Assert.That(await Schema.TableExistsAsync("items"), Is.False);
    }

    [Test]
    public async Task Load_AnUnknownKey_IsNamed()
    {
        await using var database = new RedshiftDatabase(Schema.Options());

        var error = Assert.ThrowsAsync<RedshiftInputException>(() => database.LoadAsync([new Keyed(1, "a")], "items", new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["Code"] }));

        Assert.That(error!.Message, Is.EqualTo("Key 'Code' is not a column of Keyed (columns: id, name)."));
    }

    [Test]
    public async Task Load_QuotesHostileTableAndColumnNames()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        await Schema.ExecuteAsync("CREATE TABLE victims (id int); INSERT INTO victims VALUES (1)");
        var table = new TableName(Schema.Name, "x\"; DROP TABLE victims; --");

        await database.LoadAsync([new Hostile(1, "'); DROP TABLE victims; --")], table, new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["Id"] });
        await database.LoadAsync([new Hostile(1, "again")], table, new LoadOptions { ExistingRows = ExistingRows.Upsert, Keys = ["Id"] });

        Assert.That(await Schema.ScalarAsync<long>("SELECT COUNT(*) FROM victims"), Is.EqualTo(1));
        Assert.That(await Schema.ScalarAsync<string>("SELECT \"na\"\"me; --\" FROM \"x\"\"; DROP TABLE victims; --\""), Is.EqualTo("again"));
    }

    [Test]
    public async Task Load_ManyRows_GoInSeveralBatches()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var rows = Enumerable.Range(1, 2_345).Select(i => new Keyed(i, $"n{i}")).ToList();

        await database.LoadAsync(rows, "items", new LoadOptions { InsertBatchSize = 500 });

        Assert.That(await database.QueryAsync<long>("SELECT SUM(id) FROM items"), Is.EqualTo(new[] { 2_345L * 2_346 / 2 }));
    }

    [Test]
    public async Task CreateTableSql_HasDistAndSortKeys_OnRedshift()
    {
        await using var database = new RedshiftDatabase(Schema.Options());
        var loader = new TableLoader<Signup>(database, new TableName("analytics", "signups"), new LoadOptions { DistKey = "Id", SortKeys = ["day", "Id"] });

        Assert.That(loader.CreateTableSql(redshift: true), Is.EqualTo("""
            CREATE TABLE "analytics"."signups" (
                "id" INTEGER,
                "email" VARCHAR(65535),
                "day" DATE,
                "amount" DECIMAL(38, 10),
                "verified" BOOLEAN,
                "seenat" TIMESTAMP,
                "channel" VARCHAR(256)
            )
            DISTKEY ("id")
            SORTKEY ("day", "id")
            """));
        Assert.That(loader.CreateTableSql(redshift: false), Does.Not.Contain("KEY"));
    }

    private static async Task<IReadOnlyList<string>> Names(RedshiftDatabase database) =>
        await database.QueryAsync<string>("SELECT name FROM items ORDER BY id");

    public enum Channel
    {
        Web,
        Phone,
    }

    public sealed record Signup(int Id, string? Email, DateOnly Day, decimal? Amount, bool Verified, DateTime? SeenAt, Channel Channel);

    public sealed record Keyed(int Id, string Name);

    public sealed record Hostile(int Id, [property: Column("na\"me; --")] string Name);
}

namespace Flows.Stores.Tests.PostgreSql;

/// <summary>A fixture whose every test gets a schema of its own on the test server, dropped after the test.</summary>
public abstract class PostgreSqlSchemaTests
{
    /// <summary>The current test's schema: named, not yet created (a store creates it when it opens).</summary>
    protected string Schema { get; private set; } = null!;

    [SetUp]
    public void NameSchema() => Schema = TestStores.NewSchema();

    [TearDown]
    public Task DropSchema() => TestStores.DropSchemaAsync(Schema);
}

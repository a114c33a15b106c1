namespace Flows.Redshift.Tests.Support;

/// <summary>A test class whose every test gets a fresh schema on the test PostgreSQL, dropped afterwards.</summary>
public abstract class SchemaTest
{
    private TestSchema? _schema;

    internal TestSchema Schema => _schema!;

    [SetUp]
    public async Task CreateSchema() => _schema = await TestSchema.CreateAsync();

    [TearDown]
    public async Task DropSchema()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
            _schema = null;
        }
    }
}

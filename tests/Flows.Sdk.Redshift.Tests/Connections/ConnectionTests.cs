using Flows.Redshift.Connections;
using Flows.Redshift.Tests.Support;
using Flows.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flows.Redshift.Tests.Connections;

public sealed class ConnectionTests
{
    private static Func<string, CancellationToken, ValueTask<string?>> Lookup(Dictionary<string, string> values) =>
        (name, _) => new ValueTask<string?>(values.GetValueOrDefault(name));

    /// <summary>Options for a Civis credential whose variables all come from <paramref name="values"/>.</summary>
    private static RedshiftOptions Credential(string name, Dictionary<string, string> values) =>
        new() { CredentialName = name, Secrets = Lookup(values), Settings = Lookup(values) };

    [Test]
    public async Task CivisCredential_GetsRedshiftDefaults()
    {
        var built = await RedshiftDataSourceFactory.CreateAsync(
            Credential("REDSHIFT", new() { ["REDSHIFT_USERNAME"] = "etl", ["REDSHIFT_PASSWORD"] = "pw", ["REDSHIFT_HOST"] = "warehouse.abc.us-east-1.redshift.amazonaws.com", ["REDSHIFT_DATABASE"] = "dev" }),
            CancellationToken.None);
        await using var dataSource = built.DataSource;

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Multiple(() =>
        {
            Assert.That(settings.Host, Is.EqualTo("warehouse.abc.us-east-1.redshift.amazonaws.com"));
            Assert.That(settings.Port, Is.EqualTo(5439));
            Assert.That(settings.Database, Is.EqualTo("dev"));
            Assert.That(settings.Username, Is.EqualTo("etl"));
            Assert.That(settings.SslMode, Is.EqualTo(SslMode.VerifyFull));
            Assert.That(settings.TcpKeepAlive, Is.True);
            Assert.That(settings.CommandTimeout, Is.Zero);
        });
    }

    [Test]
    public async Task CivisCredential_ByDefault_ReadsThePasswordAsASecret_AndTheRestFromConfiguration()
    {
        using var harness = new Flows.Testing.FlowTestHarness(o =>
        {
            o.Secrets["WAREHOUSE_PASSWORD"] = "s3cr3t-from-provider";
            o.Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WAREHOUSE_USERNAME"] = "loader",
                ["WAREHOUSE_HOST"] = "warehouse.internal",
                ["WAREHOUSE_DATABASE"] = "analytics",
                ["WAREHOUSE_PORT"] = "5439",
            }).Build();
        });

        var built = await RedshiftDataSourceFactory.CreateAsync(new RedshiftOptions { CredentialName = "WAREHOUSE" }, CancellationToken.None);
        await using var dataSource = built.DataSource;

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.That((settings.Host, settings.Port, settings.Database, settings.Username), Is.EqualTo(("warehouse.internal", 5439, "analytics", "loader")));
    }

    [Test]
    public async Task ConnectionString_KeepsWhatItSays_AndGetsDefaultsForTheRest()
    {
        var built = await RedshiftDataSourceFactory.CreateAsync(
            new RedshiftOptions { ConnectionString = "Host=h;Database=d;Username=u;Port=5440;Command Timeout=60" }, CancellationToken.None);
        await using var dataSource = built.DataSource;

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.That((settings.Port, settings.CommandTimeout, settings.SslMode), Is.EqualTo((5440, 60, SslMode.VerifyFull)));
    }

    [Test]
    public void CivisCredential_WithoutAPassword_NamesTheMissingVariable()
    {
        var error = Assert.ThrowsAsync<RedshiftInputException>(() => RedshiftDataSourceFactory.CreateAsync(
            Credential("WAREHOUSE", new() { ["WAREHOUSE_USERNAME"] = "etl", ["WAREHOUSE_HOST"] = "h", ["WAREHOUSE_DATABASE"] = "dev" }),
            CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("Credential 'WAREHOUSE' has a username (WAREHOUSE_USERNAME) but no password: set WAREHOUSE_PASSWORD (or WAREHOUSE_CREDENTIAL_PASSWORD)."));
    }

    [Test]
    public void CivisCredential_WithABadPort_NamesTheVariable()
    {
        var error = Assert.ThrowsAsync<RedshiftInputException>(() => RedshiftDataSourceFactory.CreateAsync(
            Credential("WAREHOUSE", new() { ["WAREHOUSE_USERNAME"] = "etl", ["WAREHOUSE_PASSWORD"] = "pw", ["WAREHOUSE_HOST"] = "h", ["WAREHOUSE_DATABASE"] = "dev", ["WAREHOUSE_PORT"] = "54x9" }),
            CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("WAREHOUSE_PORT is '54x9', which is not a port number."));
    }

    [Test]
    public void TwoWaysToConnect_AreRefused()
    {
        var error = Assert.ThrowsAsync<RedshiftInputException>(() => RedshiftDataSourceFactory.CreateAsync(
            new RedshiftOptions { CredentialName = "REDSHIFT", ConnectionString = "Host=h" }, CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("Give exactly one way to connect to Redshift (CredentialName, ConnectionString or Iam); 2 were given."));
    }

    [Test]
    public async Task CivisCredential_ConnectsWithTheVariablesAlone()
    {
        await using var schema = await TestSchema.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(schema.Server);
        var options = Credential("CIVIS_DB", new()
        {
            ["CIVIS_DB_USERNAME"] = server.Username!,
            ["CIVIS_DB_PASSWORD"] = "not-checked-by-the-test-cluster",
            ["CIVIS_DB_HOST"] = server.Host!,
            ["CIVIS_DB_PORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CIVIS_DB_DATABASE"] = server.Database!,
        });
        options.SslMode = SslMode.Disable;
        await using var database = new RedshiftDatabase(options);

        var answer = await database.QueryAsync<int>("SELECT 40 + @two", new { two = 2 });

        Assert.That(answer, Is.EqualTo(new[] { 42 }));
    }

    [Test]
    public async Task AddRedshift_GivesFlowClassesOneConfiguredDatabase()
    {
        await using var schema = await TestSchema.CreateAsync();
        using var harness = new FlowTestHarness();
        harness.Services.AddRedshift(o => o.ConnectionString = schema.ConnectionString);

        var database = harness.Get<RedshiftDatabase>();
        var again = harness.Get<RedshiftDatabase>();
        var answer = await database.QueryAsync<int>("SELECT 1");

        Assert.That(again, Is.SameAs(database));
        Assert.That(answer, Is.EqualTo(new[] { 1 }));
    }
}

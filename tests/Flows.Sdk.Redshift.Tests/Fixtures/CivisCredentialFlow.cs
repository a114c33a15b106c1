using Flows.Redshift.Connections;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flows.Redshift.Tests.Fixtures;

/// <summary>
/// A flow that builds its connection from the Civis credential REDSHIFT (the variables as a Civis container script
/// sees them) and returns numbers that contain the port's digits.
/// </summary>
public sealed class CivisCredentialFlow
{
    /// <summary>What a stored result should read.</summary>
    public const long Total = 154390;

    [Flow("rs-civis-credential")]
    public async Task<long> Run()
    {
        var built = await RedshiftDataSourceFactory.CreateAsync(new RedshiftOptions { CredentialName = "REDSHIFT" }, Flow.CancellationToken);
        await using var dataSource = built.DataSource;
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        // A careless line, as scripts write them: the password read again from where Civis put it.
        Flow.Logger.LogInformation(
            "Connecting to {Host}:{Port}/{Database} as {User} with password {Password}",
            settings.Host, settings.Port, settings.Database, settings.Username, Environment.GetEnvironmentVariable("REDSHIFT_PASSWORD"));
        await Port(settings.Port);
        return Total;
    }

    [Flow("rs-civis-port")]
    public Task<int> Port(int port) => Task.FromResult(port);
}

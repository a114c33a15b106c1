using Npgsql;

namespace Flows.Redshift.Sessions;

/// <summary>What the package needs to know about the server, learnt once per database.</summary>
internal sealed record ServerInfo(bool IsRedshift, bool BackslashEscapes)
{
    public static async Task<ServerInfo> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var command = new NpgsqlCommand("SELECT version()", connection);
            var version = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? string.Empty;
            // Redshift treats a backslash in '...' as an escape; so does PostgreSQL with standard_conforming_strings off.
            var standardStrings = connection.PostgresParameters.TryGetValue("standard_conforming_strings", out var scs)
                && scs.Equals("on", StringComparison.OrdinalIgnoreCase);
            return new ServerInfo(version.Contains("Redshift", StringComparison.OrdinalIgnoreCase), !standardStrings);
        }
    }
}

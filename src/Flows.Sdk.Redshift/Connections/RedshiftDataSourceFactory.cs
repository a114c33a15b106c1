using System.Data.Common;
using System.Globalization;
using Flows.Redshift.Iam;
using Npgsql;

namespace Flows.Redshift.Connections;

/// <summary>
/// Builds the <see cref="NpgsqlDataSource"/> for <see cref="RedshiftOptions"/>: settings from a Civis credential,
/// a connection string or IAM, then Redshift defaults for whatever was not said.
/// </summary>
internal static class RedshiftDataSourceFactory
{
    /// <summary>How often Npgsql asks the IAM cache for the password; below the 60 s margin, so it never holds an expired one.</summary>
    private static readonly TimeSpan PasswordRefresh = TimeSpan.FromSeconds(30);

    /// <summary>A data source and what it needs kept alive with it.</summary>
    public sealed record Built(NpgsqlDataSource DataSource, IamCredentialCache? Iam, IamCredentialClient? IamClient);

    public static async Task<Built> CreateAsync(RedshiftOptions options, CancellationToken cancellationToken)
    {
        var ways = new[] { options.CredentialName is not null, options.ConnectionString is not null, options.Iam is not null }.Count(w => w);
        if (ways != 1)
        {
            throw new RedshiftInputException(
                $"Give exactly one way to connect to Redshift (CredentialName, ConnectionString or Iam); {(ways == 0 ? "none was" : $"{ways} were")} given.");
        }

        var builder = options.ConnectionString is not null ? FromConnectionString(options.ConnectionString) : new NpgsqlConnectionStringBuilder();
        var given = options.ConnectionString is null ? new DbConnectionStringBuilder() : new DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
        ApplyDefaults(builder, given);
        if (options.CredentialName is not null)
        {
            await ApplyCivisCredentialAsync(builder, options, cancellationToken).ConfigureAwait(false);
        }

        Apply(builder, options);

        IamCredentialCache? cache = null;
        IamCredentialClient? client = null;
        if (options.Iam is { } iam)
        {
            RequireHostAndDatabase(builder, "IAM authentication");
            IamCredentialClient.Validate(iam);
            client = new IamCredentialClient(iam, builder.Database, options.TimeProvider);
            // A temporary password is as secret as a stored one: the engine that built the data source masks each
            // one fetched, from wherever it would otherwise show (a connection error, a logged connection string).
            var secrets = FlowEngine.Current.Secrets;
            cache = new IamCredentialCache(
                async ct =>
                {
                    var fetched = await client.FetchAsync(ct).ConfigureAwait(false);
                    secrets.Mask(fetched.Password);
                    return fetched;
                },
                options.TimeProvider);
            // The user name comes with the credentials ("IAM:alice"), so fetch once before building.
            builder.Username = (await cache.GetAsync(cancellationToken).ConfigureAwait(false)).User;
        }

        var dataSourceBuilder = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        if (cache is not null)
        {
            dataSourceBuilder.UsePeriodicPasswordProvider(
                async (_, ct) => (await cache.GetAsync(ct).ConfigureAwait(false)).Password,
                PasswordRefresh,
                TimeSpan.FromSeconds(5));
        }

        return new Built(dataSourceBuilder.Build(), cache, client);
    }

    private static NpgsqlConnectionStringBuilder FromConnectionString(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new RedshiftInputException($"RedshiftOptions.ConnectionString is not a valid connection string: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The credential's password through <see cref="RedshiftOptions.Secrets"/> (masked from then on); its user name,
    /// host, port and database through <see cref="RedshiftOptions.Settings"/>, as plain configuration.
    /// </summary>
    private static async Task ApplyCivisCredentialAsync(NpgsqlConnectionStringBuilder builder, RedshiftOptions options, CancellationToken cancellationToken)
    {
        var name = options.CredentialName!;
        async Task<(string Variable, string? Value)> First(Func<string, CancellationToken, ValueTask<string?>> lookup, params string[] suffixes)
        {
            foreach (var suffix in suffixes)
            {
                var variable = $"{name}_{suffix}";
                if (await lookup(variable, cancellationToken).ConfigureAwait(false) is { } value)
                {
                    return (variable, value);
                }
            }

            return ($"{name}_{suffixes[0]}", null);
        }

        var user = await First(options.Settings, "USERNAME", "CREDENTIAL_USERNAME").ConfigureAwait(false);
        var password = await First(options.Secrets, "PASSWORD", "CREDENTIAL_PASSWORD").ConfigureAwait(false);
        if (user.Value is null)
        {
            throw new RedshiftInputException($"Credential '{name}' has no username: set {name}_USERNAME (or {name}_CREDENTIAL_USERNAME).");
        }

        if (password.Value is null)
        {
            throw new RedshiftInputException($"Credential '{name}' has a username ({user.Variable}) but no password: set {name}_PASSWORD (or {name}_CREDENTIAL_PASSWORD).");
        }

        builder.Username = user.Value;
        builder.Password = password.Value;
        builder.Host = options.Host ?? (await First(options.Settings, "HOST").ConfigureAwait(false)).Value ?? builder.Host;
        builder.Database = options.Database ?? (await First(options.Settings, "DATABASE").ConfigureAwait(false)).Value ?? builder.Database;
        if (options.Port is null && await First(options.Settings, "PORT").ConfigureAwait(false) is { Value: { } port } portVariable)
        {
            builder.Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
                ? number
                : throw new RedshiftInputException($"{portVariable.Variable} is '{port}', which is not a port number.");
        }

        RequireHostAndDatabase(builder, $"Credential '{name}'");
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, RedshiftOptions options)
    {
        if (options.Host is not null)
        {
            builder.Host = options.Host;
        }

        if (options.Port is { } port)
        {
            builder.Port = port;
        }

        if (options.Database is not null)
        {
            builder.Database = options.Database;
        }

        if (options.SslMode is { } sslMode)
        {
            builder.SslMode = sslMode;
        }
    }

    /// <summary>Redshift defaults for what the connection string did not say; credentials and options come after.</summary>
    private static void ApplyDefaults(NpgsqlConnectionStringBuilder builder, DbConnectionStringBuilder given)
    {
        bool Said(params string[] keys) => keys.Any(given.ContainsKey);
        if (!Said("Port"))
        {
            builder.Port = RedshiftOptions.DefaultPort;
        }

        if (!Said("SSL Mode", "SslMode"))
        {
            builder.SslMode = SslMode.VerifyFull;
        }

        if (!Said("Command Timeout", "CommandTimeout"))
        {
            // ETL statements run for minutes; the 30 s default would kill them.
            builder.CommandTimeout = 0;
        }

        if (!Said("Tcp Keepalive", "TcpKeepalive"))
        {
            // Without keepalives a long COPY looks like a dead connection to NATs and load balancers.
            builder.TcpKeepAlive = true;
        }
    }

    private static void RequireHostAndDatabase(NpgsqlConnectionStringBuilder builder, string who)
    {
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new RedshiftInputException($"{who} gives no host: set RedshiftOptions.Host{(who.StartsWith("Credential", StringComparison.Ordinal) ? " or <NAME>_HOST" : string.Empty)}.");
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            throw new RedshiftInputException($"{who} gives no database: set RedshiftOptions.Database{(who.StartsWith("Credential", StringComparison.Ordinal) ? " or <NAME>_DATABASE" : string.Empty)}.");
        }
    }
}

using Flows.Stores.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Flows.Stores;

/// <summary>Chooses the run store from configuration when the application names none.</summary>
internal static class RunStoreConfiguration
{
    /// <summary>
    /// The store <c>Flows:Store:Provider</c> names: <c>sqlite</c> (the default, at <c>Flows:Store:Path</c>, else
    /// <c>flows.db</c> in <c>Flows:Home</c> or <c>$FLOWS_HOME</c>, else <c>~/.flows/flows.db</c>) or <c>memory</c>.
    /// PostgreSQL is registered by the Flows.Sdk.PostgreSql package (<c>AddFlowsPostgreSqlStore</c>).
    /// </summary>
    public static IRunStore Create(IConfiguration? configuration)
    {
        var provider = configuration?["Flows:Store:Provider"];
        return provider?.ToUpperInvariant() switch
        {
            null or "" or "SQLITE" => new SqliteRunStore(SqliteRunStoreOptions.FromConfiguration(configuration)),
            "MEMORY" => new InMemoryRunStore(),
            _ => throw new InvalidOperationException(
                $"Configuration value 'Flows:Store:Provider' = '{provider}' is not valid: expected sqlite or memory (PostgreSQL: call AddFlowsPostgreSqlStore)."),
        };
    }
}

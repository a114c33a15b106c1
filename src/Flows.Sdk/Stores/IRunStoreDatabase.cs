using System.Data.Common;

namespace Flows.Stores;

/// <summary>
/// A capability of the store contract: a run store on a database server that other components may keep their own
/// tables beside, in the same database and schema, with the store's credentials. Flows.Sdk.Orchestration uses it to put
/// its job store next to the runs of a PostgreSQL run store without a connection string of its own.
/// </summary>
public interface IRunStoreDatabase : IRunStore
{
    /// <summary>The database product, as ADO.NET providers name it (<c>"PostgreSql"</c> for the PostgreSQL run store).</summary>
    string DatabaseProduct { get; }

    /// <summary>
    /// A new data source on the store's database with the store's credentials (a password provider included), whose
    /// connections find unqualified tables in the store's schema first. The caller owns it and disposes it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store cannot hand out its connection details (it was given a ready-made data source).</exception>
    DbDataSource CreateDataSource();
}

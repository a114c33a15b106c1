namespace Flows.Orchestration;

/// <summary>
/// The Quartz job store that holds deployments and their triggers; configuration section
/// <c>Flows:Orchestration:JobStore</c>. Quartz creates its tables itself on first start.
/// </summary>
public sealed class JobStoreOptions
{
    /// <summary>Which store: <see cref="JobStoreProvider.Auto"/> (follow the run store) by default. Configuration: <c>Flows:Orchestration:JobStore:Provider</c>.</summary>
    public JobStoreProvider Provider { get; set; }

    /// <summary>
    /// The ADO.NET connection string. SQLite: used instead of <see cref="Path"/> when set. PostgreSQL: required unless the
    /// run store's connection string can be followed (<c>Flows:Store:ConnectionString</c>, else <c>ConnectionStrings:Flows</c>).
    /// Never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The SQLite file. Default: <c>quartz.db</c> in the folder of the SQLite run store's file (<c>$FLOWS_HOME</c>, else
    /// <c>~/.flows</c>), a file of its own so Quartz's writes and the run store's never wait on one lock; point it at the
    /// run store's own file to share one.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>The prefix of Quartz's table names, so they sit beside the run store's in one database. Default <c>qrtz_</c>.</summary>
    public string TablePrefix { get; set; } = "qrtz_";

    /// <summary>Whether a PostgreSQL store is clustered (every process sharing the database fires each slot on one of them). Default true; SQLite is never clustered.</summary>
    public bool Clustered { get; set; } = true;
}

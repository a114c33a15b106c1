namespace Flows.Orchestration;

/// <summary>Where Quartz keeps deployments, their triggers and the state of their firings: <see cref="JobStoreOptions.Provider"/>.</summary>
public enum JobStoreProvider
{
    /// <summary>
    /// Follow the run store: SQLite beside a SQLite run store (<c>quartz.db</c> in the same folder), the same database
    /// as a PostgreSQL run store (clustered), in memory beside an in-memory run store. The default.
    /// </summary>
    Auto = 0,

    /// <summary>A SQLite file (<see cref="JobStoreOptions.Path"/> or <see cref="JobStoreOptions.ConnectionString"/>). Not clustered: one scheduling process per file.</summary>
    Sqlite = 1,

    /// <summary>A PostgreSQL database (<see cref="JobStoreOptions.ConnectionString"/>), clustered: every process sharing it takes part and each slot fires on one of them.</summary>
    PostgreSql = 2,

    /// <summary>In memory: nothing survives the process. For tests and throw-away hosts.</summary>
    Memory = 3,
}

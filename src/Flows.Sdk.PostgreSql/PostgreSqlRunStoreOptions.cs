using Npgsql;

namespace Flows.Stores.PostgreSql;

/// <summary>Where the PostgreSQL store keeps runs and how it detects crashed runs.</summary>
public sealed class PostgreSqlRunStoreOptions
{
    /// <summary>An Npgsql connection string. Configuration: <c>Flows:Store:ConnectionString</c> or <c>ConnectionStrings:Flows</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Supplies the password of <see cref="ConnectionString"/> when each new physical connection opens, so the
    /// password can live in a secret store rather than in configuration. Configuration:
    /// <c>Flows:Store:PasswordSecret</c> names a secret resolved through the Flows secret providers.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? Password { get; set; }

    /// <summary>A data source to use instead of <see cref="ConnectionString"/> (the application keeps ownership of it).</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The schema holding the tables, created and migrated when missing or older than this code (which takes CREATE
    /// on the database); a current schema is opened without any DDL. Defaults to <c>flows</c>.
    /// </summary>
    public string Schema { get; set; } = "flows";

    /// <summary>
    /// The clock for run timestamps and the backoff between attempts to open. Heartbeats are written and judged on
    /// the server's clock. Defaults to <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How often this process shows it is alive; it also sweeps for gone processes twice per interval. Defaults to 5 s.
    /// Configuration: <c>Flows:Store:HeartbeatInterval</c>. A cluster scheduler running on the store (Quartz, through
    /// Flows.Sdk.Orchestration) checks in at this interval too.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long without a heartbeat, on the server's clock, before the runs of a process count as crashed; longer than
    /// <see cref="HeartbeatInterval"/>. Defaults to 10 s: one heartbeat may be missed, and a killed process's runs are
    /// <see cref="Runs.RunState.Crashed"/> 5 to 12.5 s after it died. Configuration: <c>Flows:Store:HeartbeatTimeout</c>.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

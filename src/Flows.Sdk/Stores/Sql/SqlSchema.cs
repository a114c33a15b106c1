namespace Flows.Stores.Sql;

/// <summary>
/// The versioned schema shared by the SQL stores. Each migration is written once with placeholders for the column
/// types a database spells differently; a store applies those above its recorded version, in one transaction.
/// Never edit a shipped migration: add the next one.
/// </summary>
internal static class SqlSchema
{
    /// <summary>The schema version this code writes and reads.</summary>
    public const int Latest = 6;

    /// <summary>
    /// The runs a process is still responsible for: started and not yet final. Contains the condition of the partial
    /// index <c>flows_runs_unfinished</c> (<c>state &lt; 4</c>) as one of its AND terms, so every query that uses it can
    /// use the index (a database uses a partial index only for a query whose condition implies the index's own). Pending, Running and Retrying: a
    /// <see cref="Flows.Runs.RunState.Scheduled"/> (0) or <see cref="Flows.Runs.RunState.Late"/> (10) run waits to be
    /// claimed by whichever process starts it, so no process is running it and none crashes it.
    /// </summary>
    public const string Unfinished = "(state >= 1 AND state < 4)";

    /// <summary>The migration to <paramref name="version"/>, its placeholders replaced.</summary>
    public static string Migration(int version, SqlTypes types) => version switch
    {
        1 => $"""
            CREATE TABLE {types.Table("flows_runs")} (
                seq {types.Sequence},
                id {types.Id} NOT NULL UNIQUE,
                kind INTEGER NOT NULL,
                name TEXT NOT NULL,
                flow_run_id {types.Id},
                parent_run_id {types.Id},
                state INTEGER NOT NULL,
                attempt INTEGER NOT NULL,
                parameters TEXT,
                result TEXT,
                cache_key TEXT,
                error TEXT,
                tags TEXT NOT NULL,
                version TEXT,
                created_at {types.Time} NOT NULL,
                started_at {types.Time},
                ended_at {types.Time},
                owner_id {types.Id});
            CREATE INDEX flows_runs_created ON {types.Table("flows_runs")} (created_at DESC, seq DESC);
            CREATE INDEX flows_runs_name_created ON {types.Table("flows_runs")} (name, created_at DESC);
            CREATE INDEX flows_runs_parent ON {types.Table("flows_runs")} (parent_run_id);
            CREATE INDEX flows_runs_flow_run ON {types.Table("flows_runs")} (flow_run_id);
            CREATE INDEX flows_runs_unfinished ON {types.Table("flows_runs")} (owner_id) WHERE state < 4;
            CREATE TABLE {types.Table("flows_transitions")} (
                seq {types.Sequence},
                run_id {types.Id} NOT NULL,
                state INTEGER NOT NULL,
                at {types.Time} NOT NULL,
                attempt INTEGER NOT NULL,
                message TEXT);
            CREATE INDEX flows_transitions_run ON {types.Table("flows_transitions")} (run_id, seq);
            CREATE TABLE {types.Table("flows_logs")} (
                seq {types.Sequence},
                run_id {types.Id} NOT NULL,
                flow_run_id {types.Id},
                at {types.Time} NOT NULL,
                level INTEGER NOT NULL,
                category TEXT NOT NULL,
                message TEXT NOT NULL,
                exception TEXT,
                properties TEXT);
            CREATE INDEX flows_logs_run ON {types.Table("flows_logs")} (run_id, seq);
            CREATE INDEX flows_logs_flow_run ON {types.Table("flows_logs")} (flow_run_id, seq);
            CREATE TABLE {types.Table("flows_artifacts")} (
                seq {types.Sequence},
                id {types.Id} NOT NULL UNIQUE,
                run_id {types.Id} NOT NULL,
                flow_run_id {types.Id},
                key TEXT NOT NULL,
                kind INTEGER NOT NULL,
                content TEXT NOT NULL,
                description TEXT,
                created_at {types.Time} NOT NULL);
            CREATE INDEX flows_artifacts_run ON {types.Table("flows_artifacts")} (run_id, seq);
            CREATE INDEX flows_artifacts_flow_run ON {types.Table("flows_artifacts")} (flow_run_id, seq);
            CREATE TABLE {types.Table("flows_cache")} (
                key TEXT PRIMARY KEY,
                task_name TEXT NOT NULL,
                result TEXT NOT NULL,
                run_id {types.Id} NOT NULL,
                created_at {types.Time} NOT NULL,
                expires_at {types.Time});
            CREATE TABLE {types.Table("flows_owners")} (
                id {types.Id} PRIMARY KEY,
                machine TEXT NOT NULL,
                pid INTEGER NOT NULL,
                process_started_at {types.Time},
                started_at {types.Time} NOT NULL,
                heartbeat_at {types.Time} NOT NULL);
            """,

        // A run knows the deployment that started it and the slot it was scheduled for. The index may have been created
        // beforehand (CONCURRENTLY, on a big PostgreSQL table), hence IF NOT EXISTS. flows_runs_unfinished (state < 4)
        // is kept as it is: Unfinished implies its condition, so the sweep still uses it, and no rebuild blocks writers.
        2 => $"""
            ALTER TABLE {types.Table("flows_runs")} ADD COLUMN deployment TEXT;
            ALTER TABLE {types.Table("flows_runs")} ADD COLUMN scheduled_for {types.Time};
            CREATE INDEX IF NOT EXISTS flows_runs_deployment_created ON {types.Table("flows_runs")} (deployment, created_at DESC, seq DESC) WHERE deployment IS NOT NULL;
            """,

        // Limits shared by every process on the store (ISharedLimits; PostgreSQL implements it, SQLite has the tables
        // so both dialects stay at one version). A slot is a lease row held for a store owner: it counts only while
        // its owner's row exists, so the slots of a process found gone come back. A rate limit is one fixed-window
        // counter per key: the window's number (time since the epoch over the interval) and the permits spent in it.
        3 => $"""
            CREATE TABLE {types.Table("flows_limit_leases")} (
                id {types.Id} NOT NULL PRIMARY KEY,
                limit_key TEXT NOT NULL,
                owner_id {types.Id} NOT NULL,
                taken_at {types.Time} NOT NULL);
            CREATE INDEX flows_limit_leases_key ON {types.Table("flows_limit_leases")} (limit_key, owner_id);
            CREATE TABLE {types.Table("flows_rate_windows")} (
                limit_key TEXT NOT NULL PRIMARY KEY,
                window_number BIGINT NOT NULL,
                spent INTEGER NOT NULL);
            """,
        // Big histories. Listing flow runs newest first, filtered by name, state or time, reads partial indexes of flow
        // runs only (task runs, most of the rows, neither pay for them on write nor bloat them), in (created_at, seq)
        // order for keyset paging; queries write kind and state as literals so the database sees they imply kind = 0.
        // Pruning finds top-level runs by end time. A cancel request (RequestCancelAsync) is kept on the run's row,
        // where the engine running it polls for it. IF NOT EXISTS: a big PostgreSQL table may have had them created
        // CONCURRENTLY beforehand.
        4 => $"""
            ALTER TABLE {types.Table("flows_runs")} ADD COLUMN cancel_requested_at {types.Time};
            ALTER TABLE {types.Table("flows_runs")} ADD COLUMN cancel_reason TEXT;
            CREATE INDEX IF NOT EXISTS flows_runs_flows_created ON {types.Table("flows_runs")} (created_at DESC, seq DESC) WHERE kind = 0;
            CREATE INDEX IF NOT EXISTS flows_runs_flows_name_created ON {types.Table("flows_runs")} (name, created_at DESC, seq DESC) WHERE kind = 0;
            CREATE INDEX IF NOT EXISTS flows_runs_flows_state_created ON {types.Table("flows_runs")} (state, created_at DESC, seq DESC) WHERE kind = 0;
            CREATE INDEX IF NOT EXISTS flows_runs_top_ended ON {types.Table("flows_runs")} (parent_run_id, ended_at) WHERE parent_run_id IS NULL;
            """,

        // What each owner serves, as it describes itself (IRunStoreNodes.DescribeNodeAsync: orchestration's works,
        // schedules, queues, concurrency, application and code version), JSON; null for a process that did not say.
        5 => $"""
            ALTER TABLE {types.Table("flows_owners")} ADD COLUMN roles TEXT;
            """,

        // Notifications about runs (INotificationStore): one row per event and channel, its event key unique so that of
        // processes racing to record an event exactly one inserts it (and sends it). Read per run, per incident (newest
        // first), and Pending ones per owner, to take over those of an owner found gone. Flow runs by end time: what a
        // watcher of run events reads every few seconds (RunQuery.EndedAfter), a short range of a small partial index.
        6 => $"""
            CREATE INDEX IF NOT EXISTS flows_runs_flows_ended ON {types.Table("flows_runs")} (ended_at) WHERE kind = 0;
            CREATE TABLE {types.Table("flows_notifications")} (
                seq {types.Sequence},
                id {types.Id} NOT NULL UNIQUE,
                event_key TEXT NOT NULL UNIQUE,
                incident_key TEXT NOT NULL,
                rule_name TEXT NOT NULL,
                channel TEXT NOT NULL,
                event_name TEXT NOT NULL,
                run_id {types.Id},
                flow TEXT NOT NULL,
                deployment TEXT,
                status INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                event_count INTEGER NOT NULL,
                grouped_into {types.Id},
                error TEXT,
                created_at {types.Time} NOT NULL,
                sent_at {types.Time},
                next_attempt_at {types.Time},
                owner_id {types.Id});
            CREATE INDEX flows_notifications_run ON {types.Table("flows_notifications")} (run_id, seq);
            CREATE INDEX flows_notifications_incident ON {types.Table("flows_notifications")} (incident_key, seq DESC);
            CREATE INDEX flows_notifications_pending ON {types.Table("flows_notifications")} (owner_id) WHERE status = 0;
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "No such schema version."),
    };
}

/// <summary>How a database spells the schema's column types, and where its tables live.</summary>
/// <param name="Id">The type of run ids.</param>
/// <param name="Time">The type of timestamps.</param>
/// <param name="Sequence">The column definition of an auto-incrementing primary key.</param>
/// <param name="Prefix">Put before table names (a quoted schema and a dot), or empty.</param>
public sealed record SqlTypes(string Id, string Time, string Sequence, string Prefix)
{
    /// <summary>The table <paramref name="name"/> as SQL names it: with <see cref="Prefix"/>.</summary>
    public string Table(string name) => Prefix + name;
}

using System.Data.Common;
using System.Globalization;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// Big histories: pages of runs by keyset, cancel requests another process makes for a run in progress, pruning old
/// runs in batches, and the facts <c>flows doctor</c> reports (schema version, the database's clock).
/// </summary>
public abstract partial class SqlRunStore
{
    /// <summary>The states <see cref="PruneAsync"/> deletes: always, and unless failed runs are kept.</summary>
    private static readonly string EndedStates = string.Join(", ", (int)RunState.Completed, (int)RunState.Cached, (int)RunState.Cancelled);
    private static readonly string FailedStates = string.Join(", ", (int)RunState.Failed, (int)RunState.TimedOut, (int)RunState.Crashed);
    private static readonly string InProgressStates = string.Join(", ", (int)RunState.Pending, (int)RunState.Running, (int)RunState.Retrying);

    /// <inheritdoc />
    /// <remarks>
    /// Pages by keyset: <c>(created_at, seq) &lt; (last run's)</c> on the indexes of schema version 4, so a page costs the
    /// same at the start and deep in a history of millions of runs.
    /// </remarks>
    public async ValueTask<RunPage> QueryRunPageAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        (DateTimeOffset CreatedAt, long Sequence)? after = query.PageToken is { } token ? RunPageToken.ParseKeyset(token) : null;
        var (sql, parameters) = RunQuerySql(query with { Limit = query.Limit + 1 }, after, withSequence: true);
        var rows = await ReadAsync(sql, parameters, r => (Run: ReadRun(r), Sequence: r.GetInt64(RunColumnCount)), cancellationToken).ConfigureAwait(false);
        if (rows.Count <= query.Limit)
        {
            return new RunPage([.. rows.Select(r => r.Run)], null);
        }

        var last = rows[query.Limit - 1];
        return new RunPage([.. rows.Take(query.Limit).Select(r => r.Run)], RunPageToken.Keyset(last.Run.CreatedAt, last.Sequence));
    }

    /// <summary>
    /// The SELECT of <see cref="QueryRunsAsync"/> and <see cref="QueryRunPageAsync"/>. Kind and state are written as
    /// literals, not parameters: the listing indexes are partial (<c>WHERE kind = 0</c>), and a database uses a partial
    /// index only when it can see the query's condition implies the index's.
    /// </summary>
    private (string Sql, List<(string, object?)> Parameters) RunQuerySql(RunQuery query, (DateTimeOffset CreatedAt, long Sequence)? after, bool withSequence)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Limit);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string condition, string name, object? value)
        {
            if (value is not null)
            {
                where.Add($"{condition} @{name}");
                parameters.Add((name, value));
            }
        }

        if (query.Kind is { } kind)
        {
            where.Add("kind = " + ((int)kind).ToString(CultureInfo.InvariantCulture));
        }

        if (query.State is { } state)
        {
            where.Add("state = " + ((int)state).ToString(CultureInfo.InvariantCulture));
        }

        Filter("name =", "name", query.Name);
        Filter("deployment =", "deployment", query.Deployment);
        if (query.Tag is { } tag)
        {
            where.Add(TagCondition(tag, parameters));
        }

        Filter("parent_run_id =", "parent", query.ParentRunId is { } parent ? Id(parent) : null);
        Filter("flow_run_id =", "flow", query.FlowRunId is { } flow ? Id(flow) : null);
        Filter("created_at >=", "after", query.CreatedAfter is { } createdAfter ? Time(createdAfter) : null);
        Filter("created_at <", "before", query.CreatedBefore is { } before ? Time(before) : null);
        Filter("ended_at >=", "endedAfter", query.EndedAfter is { } endedAfter ? Time(endedAfter) : null);
        if (after is { } keyset)
        {
            where.Add("(created_at, seq) < (@keyTime, @keySeq)");
            parameters.Add(("keyTime", Time(keyset.CreatedAt)));
            parameters.Add(("keySeq", keyset.Sequence));
        }

        parameters.Add(("limit", (long)query.Limit));
        parameters.Add(("offset", (long)query.Offset));
        var hint = query.EndedAfter is not null && query.Kind == RunKind.Flow ? EndedIndexHint : string.Empty;
        var sql = $"SELECT {RunColumns}{(withSequence ? ", seq" : string.Empty)} FROM {Runs}{hint}{(where.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", where))} "
            + "ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset";
        return (sql, parameters);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>UPDATE … WHERE id = @id AND state IN (Pending, Running, Retrying)</c>: the engine running the run polls for
    /// requests about once a second (<see cref="GetCancelRequestsAsync"/>).
    /// </remarks>
    public async ValueTask<bool> RequestCancelAsync(Guid runId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(
            connection,
            null,
            $"UPDATE {Runs} SET cancel_requested_at = {NowSql}, cancel_reason = @reason WHERE id = @id AND state IN ({InProgressStates})",
            [("id", Id(runId)), ("reason", reason), ("now", Time(TimeProvider.GetUtcNow()))],
            cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RunCancelRequest>> GetCancelRequestsAsync(IReadOnlyCollection<Guid> runIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            return [];
        }

        var found = new List<RunCancelRequest>();

        // In chunks, under every database's limit on parameters per statement.
        foreach (var chunk in runIds.Chunk(500))
        {
            var names = chunk.Select((_, i) => "r" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            found.AddRange(await ReadAsync(
                $"SELECT id, cancel_reason, cancel_requested_at FROM {Runs} WHERE id IN ({string.Join(", ", names.Select(n => "@" + n))}) AND cancel_requested_at IS NOT NULL",
                names.Zip(chunk, (n, id) => (n, (object?)Id(id))),
                r => new RunCancelRequest(r.GetGuid(0), Text(r, 1) ?? string.Empty, ReadTime(r, 2)),
                cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Each batch is one transaction: it picks up to <see cref="PruneRequest.BatchSize"/> top-level runs (flow runs, and
    /// task runs outside any flow) by the end-time index of schema version 4, then deletes, for them and every run
    /// descending from them (found level by level down <c>parent_run_id</c>), their transitions, log lines, artifacts,
    /// notifications and the runs themselves. Expired cache entries go last, in one statement.
    /// </remarks>
    public async ValueTask<PruneResult> PruneAsync(PruneRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.BatchSize, 1);
        var states = request.KeepFailed ? EndedStates : EndedStates + ", " + FailedStates;
        var total = PruneResult.None;
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);

        // Each batch starts where the last one's end times ended: the index entries of rows just deleted stay until
        // the database vacuums, and starting from the oldest again would walk them all at every batch.
        var from = DateTimeOffset.MinValue;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var picked = await ReadAsync(
                connection,
                transaction,
                $"SELECT id, ended_at FROM {Runs} WHERE parent_run_id IS NULL AND ended_at >= @from AND ended_at < @cutoff AND state IN ({states}) ORDER BY ended_at LIMIT @batch",
                [("from", Time(from)), ("cutoff", Time(request.EndedBefore)), ("batch", (long)request.BatchSize)],
                r => (Id: r.GetGuid(0), EndedAt: ReadTime(r, 1)),
                cancellationToken).ConfigureAwait(false);
            if (picked.Count == 0)
            {
                break;
            }

            from = picked[^1].EndedAt;
            var roots = picked.Select(p => p.Id).ToList();

            // Everything descending from them, level by level down parent_run_id (task runs, subflows, theirs), by
            // lists of ids: a recursive join lets a planner that sees most runs have no parent scan the whole table.
            var doomed = new List<Guid>(roots);
            for (IReadOnlyList<Guid> level = roots; level.Count > 0;)
            {
                var children = new List<Guid>();
                foreach (var chunk in level.Chunk(500))
                {
                    var (list, values) = IdList(chunk);
                    children.AddRange(await ReadAsync(
                        connection, transaction, $"SELECT id FROM {Runs}{ParentIndexHint} WHERE parent_run_id IN ({list})", values, r => r.GetGuid(0), cancellationToken).ConfigureAwait(false));
                }

                doomed.AddRange(children);
                level = children;
            }

            async Task<int> Delete(string table, string column)
            {
                var deleted = 0;
                foreach (var chunk in doomed.Chunk(500))
                {
                    var (list, values) = IdList(chunk);
                    deleted += await ExecuteAsync(connection, transaction, $"DELETE FROM {Types.Table(table)} WHERE {column} IN ({list})", values, cancellationToken).ConfigureAwait(false);
                }

                return deleted;
            }

            var transitions = await Delete("flows_transitions", "run_id").ConfigureAwait(false);
            var logs = await Delete("flows_logs", "run_id").ConfigureAwait(false);
            var artifacts = await Delete("flows_artifacts", "run_id").ConfigureAwait(false);
            foreach (var chunk in doomed.Chunk(500))
            {
                await DeleteNotificationsAsync(connection, transaction, chunk, cancellationToken).ConfigureAwait(false);
            }

            var runs = await Delete("flows_runs", "id").ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            total = total.Add(new PruneResult(roots.Count, runs, transitions, logs, artifacts, 0));
            if (roots.Count < request.BatchSize)
            {
                break;
            }
        }

        var cache = await ExecuteAsync(
            connection, null, $"DELETE FROM {Types.Table("flows_cache")} WHERE expires_at < @cutoff", [("cutoff", Time(request.EndedBefore))], cancellationToken).ConfigureAwait(false);
        // Notifications about no run (a deployment that went silent) go by their own age; Pending ones are still to send.
        await ExecuteAsync(
            connection,
            null,
            $"DELETE FROM {Types.Table("flows_notifications")} WHERE run_id IS NULL AND created_at < @cutoff AND status <> {(int)NotificationStatus.Pending}",
            [("cutoff", Time(request.EndedBefore))],
            cancellationToken).ConfigureAwait(false);
        return total with { CacheEntries = cache };
    }

    /// <summary>A list of parameters <c>@r0, @r1, …</c> for <paramref name="ids"/>, and their values.</summary>
    private (string List, (string, object?)[] Values) IdList(IReadOnlyList<Guid> ids)
    {
        var names = ids.Select((_, i) => "r" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return (string.Join(", ", names.Select(n => "@" + n)), [.. names.Zip(ids, (n, id) => (n, (object?)Id(id)))]);
    }

    /// <summary>
    /// A hint that makes the walk down <c>parent_run_id</c> use its index, where a database's planner may not: SQLite's,
    /// with statistics saying most runs have no parent, scans the whole table at every step otherwise.
    /// </summary>
    private protected virtual string ParentIndexHint => string.Empty;

    /// <summary>
    /// A hint that makes a query of flow runs ended since a time (<see cref="RunQuery.EndedAfter"/>) read the end-time
    /// index of schema version 6, where a database's planner may prefer walking every flow run in the order asked for:
    /// SQLite's, without statistics, does.
    /// </summary>
    private protected virtual string EndedIndexHint => string.Empty;

    /// <summary>
    /// The schema version the database holds and the one this code writes, read without migrating anything (for
    /// <c>flows doctor</c>): a store whose database is behind is migrated by its next open.
    /// </summary>
    /// <exception cref="RunStoreException">The database cannot be reached.</exception>
    public async Task<SqlSchemaStatus> GetSchemaStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (Convert.ToInt64(await ScalarAsync(connection, null, SchemaTableExistsSql, [], cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
            {
                return new SqlSchemaStatus(null, SqlSchema.Latest);
            }

            var version = await ScalarAsync(connection, null, $"SELECT max(version) FROM {Types.Table("flows_schema")}", [], cancellationToken).ConfigureAwait(false);
            return new SqlSchemaStatus(version is null or DBNull ? 0 : Convert.ToInt32(version, CultureInfo.InvariantCulture), SqlSchema.Latest);
        }
        catch (DbException ex)
        {
            throw new RunStoreException($"{Description} cannot be reached: {Explain(ex, migrating: false)}", ex);
        }
    }

    /// <summary>
    /// The time on the clock the store judges heartbeats by (for <c>flows doctor</c>'s clock-skew check): the database
    /// server's for a server database, this machine's (the store's <see cref="TimeProvider"/>) for SQLite.
    /// </summary>
    /// <exception cref="RunStoreException">The database cannot be reached.</exception>
    public async Task<DateTimeOffset> GetDatabaseTimeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var times = await ReadAsync(connection, null, $"SELECT {NowSql}", [("now", Time(TimeProvider.GetUtcNow()))], r => ReadTime(r, 0), cancellationToken).ConfigureAwait(false);
            return times[0];
        }
        catch (DbException ex)
        {
            throw new RunStoreException($"{Description} cannot be reached: {Explain(ex, migrating: false)}", ex);
        }
    }
}

/// <summary>The schema version of a SQL store's database, from <see cref="SqlRunStore.GetSchemaStatusAsync"/>.</summary>
/// <param name="DatabaseVersion">The version the database holds; null when it has no Flows schema yet.</param>
/// <param name="LatestVersion">The version this code writes and reads.</param>
public sealed record SqlSchemaStatus(int? DatabaseVersion, int LatestVersion)
{
    /// <summary>True when the database is at the version this code writes: opening it changes nothing.</summary>
    public bool IsCurrent => DatabaseVersion == LatestVersion;

    /// <summary>True when the database was written by a newer version of Flows.Sdk than this one: this code cannot open it.</summary>
    public bool IsNewer => DatabaseVersion > LatestVersion;
}

using System.Data.Common;
using System.Text.Json;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Stores.Sql;

/// <summary>Queries: runs, their transitions, logs and artifacts, and cache entries, read by the filters of <see cref="IRunStore"/>.</summary>
public abstract partial class SqlRunStore
{
    /// <inheritdoc />
    public async ValueTask<RunRecord?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        var runs = await ReadAsync($"SELECT {RunColumns} FROM {Runs} WHERE id = @id", [("id", Id(runId))], ReadRun, cancellationToken).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunRecord>> QueryRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (sql, parameters) = RunQuerySql(query, null, withSequence: false);
        return ReadAsync(sql, parameters, ReadRun, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<StateTransition>> GetTransitionsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT run_id, state, at, attempt, message FROM {Types.Table("flows_transitions")} WHERE run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new StateTransition(r.GetGuid(0), (RunState)r.GetInt32(1), ReadTime(r, 2), r.GetInt32(3), Text(r, 4)),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunLogEntry>> GetLogsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT run_id, flow_run_id, at, level, category, message, exception, properties FROM {Types.Table("flows_logs")} "
            + "WHERE run_id = @id OR flow_run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new RunLogEntry(
                r.GetGuid(0), NullableId(r, 1), ReadTime(r, 2), (LogLevel)r.GetInt32(3), r.GetString(4), r.GetString(5), Text(r, 6),
                Text(r, 7) is { } properties ? JsonSerializer.Deserialize<Dictionary<string, string?>>(properties) : null),
            cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RunArtifact>> GetArtifactsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        ReadAsync(
            $"SELECT id, run_id, flow_run_id, key, kind, content, description, created_at FROM {Types.Table("flows_artifacts")} "
            + "WHERE run_id = @id OR flow_run_id = @id ORDER BY seq",
            [("id", Id(runId))],
            r => new RunArtifact(r.GetGuid(0), r.GetGuid(1), NullableId(r, 2), r.GetString(3), (ArtifactKind)r.GetInt32(4), r.GetString(5), Text(r, 6), ReadTime(r, 7)),
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<CacheEntry?> GetCacheEntryAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entries = await ReadAsync(
            $"SELECT key, task_name, result, run_id, created_at, expires_at FROM {Types.Table("flows_cache")} WHERE key = @key",
            [("key", key)],
            r => new CacheEntry(r.GetString(0), r.GetString(1), r.GetString(2), r.GetGuid(3), ReadTime(r, 4), r.IsDBNull(5) ? null : ReadTime(r, 5)),
            cancellationToken).ConfigureAwait(false);
        return entries.Count == 0 ? null : entries[0];
    }
}

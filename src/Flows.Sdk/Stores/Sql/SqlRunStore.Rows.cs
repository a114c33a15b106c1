using System.Data.Common;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>Row mapping: a run record to its row and back, and the nullable ids and text read with it.</summary>
public abstract partial class SqlRunStore
{
    private const string RunColumns =
        "id, kind, name, flow_run_id, parent_run_id, state, attempt, parameters, result, cache_key, error, tags, version, created_at, started_at, ended_at, deployment, scheduled_for";

    /// <summary>How many columns <see cref="RunColumns"/> names: a query may read more after them.</summary>
    private const int RunColumnCount = 18;

    private static readonly string[] RunWriteColumns = [.. RunColumns.Split(", "), "owner_id"];

    /// <summary>A run's row: the columns of <see cref="RunColumns"/>, then this store as its owner.</summary>
    private void WriteRun(IRowWriter w, RunRecord r)
    {
        w.Id(r.Id);
        w.Integer((int)r.Kind);
        w.Text(r.Name);
        w.Id(r.FlowRunId);
        w.Id(r.ParentRunId);
        w.Integer((int)r.State);
        w.Integer(r.Attempt);
        w.Text(r.Parameters);
        w.Text(r.Result);
        w.Text(r.CacheKey);
        w.Text(r.Error);
        w.Text(r.Tags.Count == 0 ? "[]" : JsonSerializer.Serialize(r.Tags));
        w.Text(r.Version);
        w.Time(r.CreatedAt);
        w.Time(r.StartedAt);
        w.Time(r.EndedAt);
        w.Text(r.Deployment);
        w.Time(r.ScheduledFor);
        w.Id(OwnerId);
    }

    private RunRecord ReadRun(DbDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Kind = (RunKind)r.GetInt32(1),
        Name = r.GetString(2),
        FlowRunId = NullableId(r, 3),
        ParentRunId = NullableId(r, 4),
        State = (RunState)r.GetInt32(5),
        Attempt = r.GetInt32(6),
        Parameters = Text(r, 7),
        Result = Text(r, 8),
        CacheKey = Text(r, 9),
        Error = Text(r, 10),
        Tags = JsonSerializer.Deserialize<string[]>(r.GetString(11)) ?? [],
        Version = Text(r, 12),
        CreatedAt = ReadTime(r, 13),
        StartedAt = r.IsDBNull(14) ? null : ReadTime(r, 14),
        EndedAt = r.IsDBNull(15) ? null : ReadTime(r, 15),
        Deployment = Text(r, 16),
        ScheduledFor = r.IsDBNull(17) ? null : ReadTime(r, 17),
    };

    private static Guid? NullableId(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

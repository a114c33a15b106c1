using System.Data.Common;
using System.Text.Json;

namespace Flows.Stores;

/// <summary>Row mapping: a run record to its database values and back, and the nullable ids, times and text around it.</summary>
public abstract partial class SqlRunStore
{
    private const string RunColumns =
        "id, kind, name, flow_run_id, parent_run_id, state, attempt, parameters, result, cache_key, error, tags, version, created_at, started_at, ended_at";

    private object?[] RunValues(RunRecord r) =>
    [
        Id(r.Id), (int)r.Kind, r.Name, NullableId(r.FlowRunId), NullableId(r.ParentRunId), (int)r.State, r.Attempt, r.Parameters, r.Result, r.CacheKey,
        r.Error, r.Tags.Count == 0 ? "[]" : JsonSerializer.Serialize(r.Tags), r.Version, Time(r.CreatedAt), NullableTime(r.StartedAt), NullableTime(r.EndedAt), Id(OwnerId),
    ];

    private object? NullableId(Guid? id) => id is { } value ? Id(value) : null;

    private object? NullableTime(DateTimeOffset? time) => time is { } value ? Time(value) : null;

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
    };

    private static Guid? NullableId(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetGuid(ordinal);

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

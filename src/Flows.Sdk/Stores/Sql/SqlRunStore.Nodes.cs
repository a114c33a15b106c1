using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Flows.Runs;

namespace Flows.Stores.Sql;

/// <summary>
/// The nodes sharing the store: every registered owner with its heartbeat judged on the database's clock, its flow
/// runs in progress, and what it serves as it described itself (the owner row's <c>roles</c>, schema version 5).
/// </summary>
public abstract partial class SqlRunStore : IRunStoreNodes
{
    /// <summary>The most runs in progress listed per node.</summary>
    private const int MaxRunsPerNode = 1000;

    // What this process serves, as JSON for the owner row; null until described.
    private string? _roles;

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoreNode>> ListNodesAsync(int runsPerNode = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(runsPerNode);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(runsPerNode, MaxRunsPerNode);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var now = ("now", Time(TimeProvider.GetUtcNow()));

        // Lapsed and the time since the last beat are the database's judgement, on its clock (see NowSql).
        var owners = await ReadAsync(
            connection,
            null,
            $"SELECT id, machine, pid, process_started_at, started_at, heartbeat_at, roles, {NowSql}, CASE WHEN heartbeat_at < {NowSql} - @timeout THEN 1 ELSE 0 END FROM {Owners}",
            [now, ("timeout", Duration(_heartbeatTimeout))],
            r => (Owner: new StoreOwner(r.GetGuid(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : ReadTime(r, 3), Convert.ToInt64(r.GetValue(8), CultureInfo.InvariantCulture) != 0),
                StartedAt: ReadTime(r, 4), HeartbeatAt: ReadTime(r, 5), Roles: Text(r, 6), DatabaseNow: ReadTime(r, 7)),
            cancellationToken).ConfigureAwait(false);

        // The flow runs in progress of registered owners, newest first per owner, with each owner's count: one pass
        // over the partial index of unfinished runs (Unfinished implies its condition).
        var runs = await ReadAsync(
            connection,
            null,
            $"""
            SELECT owner_id, id, name, state, started_at, deployment, total FROM (
                SELECT owner_id, id, name, state, started_at, deployment,
                    ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY created_at DESC, seq DESC) AS n,
                    COUNT(*) OVER (PARTITION BY owner_id) AS total
                FROM {Runs} WHERE {SqlSchema.Unfinished} AND kind = 0 AND owner_id IN (SELECT id FROM {Owners})) ranked
            WHERE n <= @limit ORDER BY owner_id, n
            """,
            [("limit", Math.Max(runsPerNode, 1))],
            r => (Owner: r.GetGuid(0), Run: new NodeRun(r.GetGuid(1), r.GetString(2), (RunState)r.GetInt32(3), r.IsDBNull(4) ? null : ReadTime(r, 4), Text(r, 5)), Total: Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture)),
            cancellationToken).ConfigureAwait(false);
        var byOwner = runs.GroupBy(r => r.Owner).ToDictionary(g => g.Key, g => (Runs: g.Select(r => r.Run).Take(runsPerNode).ToList(), Total: g.First().Total));

        return
        [
            .. owners
                .Select(o =>
                {
                    var current = o.Owner.Id == OwnerId;
                    var since = o.DatabaseNow - o.HeartbeatAt;
                    var inProgress = byOwner.GetValueOrDefault(o.Owner.Id);
                    return new StoreNode
                    {
                        Id = o.Owner.Id,
                        Machine = o.Owner.Machine,
                        ProcessId = o.Owner.ProcessId,
                        ProcessStartedAt = o.Owner.ProcessStartedAt,
                        StartedAt = o.StartedAt,
                        LastHeartbeat = o.HeartbeatAt,
                        SinceHeartbeat = since < TimeSpan.Zero ? TimeSpan.Zero : since,
                        Health = current ? NodeHealth.Alive
                            : IsGone(o.Owner, judgesLapses: true) ? NodeHealth.Gone
                            : since > _heartbeatInterval * 1.5 ? NodeHealth.Overdue
                            : NodeHealth.Alive,
                        IsCurrent = current,
                        Description = ReadRoles(o.Roles),
                        RunsInProgress = inProgress.Total,
                        Runs = inProgress.Runs ?? [],
                    };
                })
                .OrderByDescending(n => n.IsCurrent)
                .ThenBy(n => n.Machine, StringComparer.OrdinalIgnoreCase)
                .ThenBy(n => n.ProcessId)
                .ThenBy(n => n.StartedAt),
        ];
    }

    /// <inheritdoc />
    public async Task DescribeNodeAsync(NodeDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        Volatile.Write(ref _roles, JsonSerializer.Serialize(description));
        Task? open;
        lock (_openLock)
        {
            open = _open;
        }

        if (open is not { IsCompletedSuccessfully: true } || Volatile.Read(ref _disposed) != 0)
        {
            // Not open yet: registering writes it.
            return;
        }

        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, $"UPDATE {Owners} SET roles = @roles WHERE id = @me", [("roles", _roles), ("me", Id(OwnerId))], cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // The next heartbeat writes it.
        }
    }

    /// <summary>A node's description as stored; null when it gave none or it does not read (written by something else).</summary>
    private static NodeDescription? ReadRoles(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<NodeDescription>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

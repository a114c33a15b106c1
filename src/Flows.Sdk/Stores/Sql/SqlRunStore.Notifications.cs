using System.Data.Common;

namespace Flows.Stores.Sql;

/// <summary>
/// Notifications about runs (<see cref="INotificationStore"/>, schema version 6): a claim is an insert that does nothing
/// when the event key is taken, so of processes racing to record one event exactly one inserts it; Pending records of an
/// owner whose row is gone (removed by the sweep that found it lapsed, on the database's clock, or unregistered) are
/// taken over in one statement that re-checks the owner, so two takers never take the same record; an event grouped into
/// a notification adds to its count in one statement too, so increments made at once by several processes all count.
/// </summary>
public abstract partial class SqlRunStore : INotificationStore
{
    private const string NotificationColumns =
        "id, event_key, incident_key, rule_name, channel, event_name, run_id, flow, deployment, status, attempts, event_count, grouped_into, error, created_at, sent_at, next_attempt_at, owner_id";

    private string Notifications => Types.Table("flows_notifications");

    /// <inheritdoc />
    public async Task<bool> TryClaimAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await ExecuteAsync(
            connection,
            null,
            $"INSERT INTO {Notifications} ({NotificationColumns}) VALUES (@id, @eventKey, @incidentKey, @rule, @channel, @event, @runId, @flow, @deployment, "
            + "@status, @attempts, @count, @groupedInto, @error, @createdAt, @sentAt, @nextAttemptAt, @owner) ON CONFLICT (event_key) DO NOTHING",
            NotificationParameters(notification),
            cancellationToken).ConfigureAwait(false);
        return inserted > 0;
    }

    /// <inheritdoc />
    public async Task UpdateAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            $"UPDATE {Notifications} SET status = @status, attempts = @attempts, error = @error, sent_at = @sentAt, next_attempt_at = @nextAttemptAt, owner_id = @owner WHERE id = @id",
            DeliveryParameters(notification),
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One statement: the database adds to the stored count under the row's lock and returns the sum.</remarks>
    public async Task<int?> AddToCountAsync(Guid notificationId, int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var counted = await ReadAsync(
            $"UPDATE {Notifications} SET event_count = event_count + @count WHERE id = @id RETURNING event_count",
            [("id", Id(notificationId)), ("count", count)],
            r => r.GetInt32(0),
            cancellationToken).ConfigureAwait(false);
        return counted.Count == 0 ? null : counted[0];
    }

    /// <inheritdoc />
    public async Task<NotificationRecord?> GetNotificationAsync(Guid notificationId, CancellationToken cancellationToken = default)
    {
        var found = await ReadAsync($"SELECT {NotificationColumns} FROM {Notifications} WHERE id = @id", [("id", Id(notificationId))], ReadNotification, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        await ReadAsync($"SELECT {NotificationColumns} FROM {Notifications} WHERE run_id = @id ORDER BY seq", [("id", Id(runId))], ReadNotification, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<NotificationRecord?> GetLatestOfIncidentAsync(string incidentKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incidentKey);
        var found = await ReadAsync(
            $"SELECT {NotificationColumns} FROM {Notifications} WHERE incident_key = @key ORDER BY seq DESC LIMIT 1", [("key", incidentKey)], ReadNotification, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    /// <remarks>
    /// An owner is gone when its row is: the sweep (<see cref="IRunOwners.MarkCrashedRunsAsync"/>) removes the row of an
    /// owner whose heartbeat lapsed on the database's clock, and a store disposed removes its own. Oldest first.
    /// </remarks>
    public async Task<IReadOnlyList<NotificationRecord>> TakeOverAbandonedAsync(Guid ownerId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return [];
        }

        // The condition is written twice: the inner SELECT picks, the outer UPDATE re-checks it on the row it locks, so a
        // record another taker changed first is left alone.
        var abandoned = $"status = {(int)NotificationStatus.Pending} AND (owner_id IS NULL OR NOT EXISTS (SELECT 1 FROM {Owners} o WHERE o.id = {Notifications}.owner_id))";
        var taken = await ReadAsync(
            $"UPDATE {Notifications} SET owner_id = @me WHERE id IN (SELECT id FROM {Notifications} WHERE {abandoned} ORDER BY seq LIMIT @limit) AND {abandoned} "
            + $"RETURNING {NotificationColumns}",
            [("me", Id(ownerId)), ("limit", (long)limit)],
            ReadNotification,
            cancellationToken).ConfigureAwait(false);
        return [.. taken.OrderBy(n => n.CreatedAt)];
    }

    /// <summary>Deletes, for pruning, the notifications about <paramref name="runIds"/>.</summary>
    private async Task<int> DeleteNotificationsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Guid> runIds, CancellationToken cancellationToken)
    {
        var (list, values) = IdList(runIds);
        return await ExecuteAsync(connection, transaction, $"DELETE FROM {Notifications} WHERE run_id IN ({list})", values, cancellationToken).ConfigureAwait(false);
    }

    private (string, object?)[] NotificationParameters(NotificationRecord n) =>
    [
        .. DeliveryParameters(n), ("eventKey", Storable(n.EventKey)), ("incidentKey", Storable(n.IncidentKey)), ("rule", Storable(n.Rule)), ("channel", Storable(n.Channel)),
        ("event", Storable(n.Event)), ("runId", n.RunId is { } run ? Id(run) : null), ("flow", Storable(n.Flow)), ("deployment", Storable(n.Deployment)),
        ("count", n.Count), ("groupedInto", n.GroupedInto is { } into ? Id(into) : null), ("createdAt", Time(n.CreatedAt)),
    ];

    /// <summary>The parameters of what <see cref="UpdateAsync"/> writes: how the delivery stands.</summary>
    private (string, object?)[] DeliveryParameters(NotificationRecord n) =>
    [
        ("id", Id(n.Id)), ("status", (int)n.Status), ("attempts", n.Attempts), ("error", Storable(n.Error)), ("sentAt", n.SentAt is { } sent ? Time(sent) : null),
        ("nextAttemptAt", n.NextAttemptAt is { } next ? Time(next) : null), ("owner", n.OwnerId is { } owner ? Id(owner) : null),
    ];

    /// <summary>Text PostgreSQL can hold: a NUL (an error's text may carry one) is stored as the visible U+2400.</summary>
    private static string? Storable(string? text) => text?.Replace('\0', '\u2400');

    private NotificationRecord ReadNotification(DbDataReader r) => new()
    {
        Id = r.GetGuid(0),
        EventKey = r.GetString(1),
        IncidentKey = r.GetString(2),
        Rule = r.GetString(3),
        Channel = r.GetString(4),
        Event = r.GetString(5),
        RunId = NullableId(r, 6),
        Flow = r.GetString(7),
        Deployment = Text(r, 8),
        Status = (NotificationStatus)r.GetInt32(9),
        Attempts = r.GetInt32(10),
        Count = r.GetInt32(11),
        GroupedInto = NullableId(r, 12),
        Error = Text(r, 13),
        CreatedAt = ReadTime(r, 14),
        SentAt = r.IsDBNull(15) ? null : ReadTime(r, 15),
        NextAttemptAt = r.IsDBNull(16) ? null : ReadTime(r, 16),
        OwnerId = NullableId(r, 17),
    };
}

namespace Flows.Stores;

/// <summary>
/// A run store that keeps the notifications sent about runs (Flows.Sdk.Notifications): one record per event and
/// channel, claimed by exactly one process of all those sharing the store, which sends it and records the outcome. The
/// built-in stores implement it; the CLI and the dashboard read a run's notifications from it.
/// </summary>
public interface INotificationStore
{
    /// <summary>
    /// Stores <paramref name="notification"/> unless one with its <see cref="NotificationRecord.EventKey"/> is stored
    /// already. True when this call stored it: of processes racing to record one event, exactly one gets true and sends.
    /// </summary>
    Task<bool> TryClaimAsync(NotificationRecord notification, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records how the delivery of <paramref name="notification"/> stands: its <see cref="NotificationRecord.Status"/>,
    /// <see cref="NotificationRecord.Attempts"/>, <see cref="NotificationRecord.Error"/>, <see cref="NotificationRecord.SentAt"/>,
    /// <see cref="NotificationRecord.NextAttemptAt"/> and <see cref="NotificationRecord.OwnerId"/>. Nothing else is written:
    /// what the notification is about is fixed when it is claimed, and its <see cref="NotificationRecord.Count"/> changes
    /// only through <see cref="AddToCountAsync"/>, so a sender recording an attempt never undoes an event another process
    /// counted into the notification meanwhile. Does nothing when no notification has its id.
    /// </summary>
    Task UpdateAsync(NotificationRecord notification, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="count"/> to the <see cref="NotificationRecord.Count"/> of the notification
    /// <paramref name="notificationId"/> in one atomic step, so increments made at once by several processes all count.
    /// Returns the count after the addition, or null when no notification has that id (pruned).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    Task<int?> AddToCountAsync(Guid notificationId, int count = 1, CancellationToken cancellationToken = default);

    /// <summary>The notification <paramref name="notificationId"/> as stored now, or null.</summary>
    Task<NotificationRecord?> GetNotificationAsync(Guid notificationId, CancellationToken cancellationToken = default);

    /// <summary>The notifications about a run, oldest first.</summary>
    Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The newest notification of an incident (<see cref="NotificationRecord.IncidentKey"/>), or null.</summary>
    Task<NotificationRecord?> GetLatestOfIncidentAsync(string incidentKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes over, for <paramref name="ownerId"/>, up to <paramref name="limit"/> notifications still
    /// <see cref="NotificationStatus.Pending"/> whose owner is gone (its process died before sending them): they are
    /// returned with their owner changed, so a crash between claim and delivery loses nothing.
    /// </summary>
    Task<IReadOnlyList<NotificationRecord>> TakeOverAbandonedAsync(Guid ownerId, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Where a notification stands.</summary>
public enum NotificationStatus
{
    /// <summary>Claimed and not delivered yet (being sent, or waiting for its next attempt).</summary>
    Pending = 0,

    /// <summary>Delivered.</summary>
    Sent = 1,

    /// <summary>Not sent on its own: counted into its incident's notification (see <see cref="NotificationRecord.GroupedInto"/>).</summary>
    Grouped = 2,

    /// <summary>Every delivery attempt failed; <see cref="NotificationRecord.Error"/> says why.</summary>
    Failed = 3,
}

/// <summary>One notification about a run event, to one channel, as the run store keeps it.</summary>
public sealed record NotificationRecord
{
    /// <summary>The notification's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Unique per event and channel (e.g. <c>rule|run id|Failed|channel</c>): how one event is notified once across processes.</summary>
    public required string EventKey { get; init; }

    /// <summary>The incident it belongs to (e.g. <c>rule|deployment or flow|failure</c>): events of one incident are grouped.</summary>
    public required string IncidentKey { get; init; }

    /// <summary>The rule that matched, by name.</summary>
    public required string Rule { get; init; }

    /// <summary>The channel it goes to, by name.</summary>
    public required string Channel { get; init; }

    /// <summary>The event's name (<c>Failed</c>, <c>Late</c>, <c>Recovered</c>, ...).</summary>
    public required string Event { get; init; }

    /// <summary>The flow run it is about; null for a deployment's silence.</summary>
    public Guid? RunId { get; init; }

    /// <summary>The flow.</summary>
    public required string Flow { get; init; }

    /// <summary>The deployment, if any.</summary>
    public string? Deployment { get; init; }

    /// <summary>Where it stands.</summary>
    public NotificationStatus Status { get; init; }

    /// <summary>Delivery attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>Events this notification stands for (1, or more once grouped events were counted into it).</summary>
    public int Count { get; init; } = 1;

    /// <summary>For a <see cref="NotificationStatus.Grouped"/> record: the notification it was counted into.</summary>
    public Guid? GroupedInto { get; init; }

    /// <summary>Why the last delivery attempt failed (masked), or null.</summary>
    public string? Error { get; init; }

    /// <summary>When it was claimed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>When the next delivery attempt is due (Pending only).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The process (run store owner) that claimed it and sends it.</summary>
    public Guid? OwnerId { get; init; }
}

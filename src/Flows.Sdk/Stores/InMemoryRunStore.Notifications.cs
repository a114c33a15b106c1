namespace Flows.Stores;

/// <summary>
/// Notifications about runs, in memory: claimed once per event key among everything sharing this store. The store lives
/// in one process, so the owners of its records live as long as it does: only a Pending record claimed with no owner
/// counts as abandoned.
/// </summary>
public sealed partial class InMemoryRunStore : INotificationStore
{
    private readonly Lock _notificationsGate = new();

    // In the order they were claimed; by event key for claims.
    private readonly List<NotificationRecord> _notifications = [];
    private readonly Dictionary<string, int> _notificationsByKey = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<bool> TryClaimAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_notificationsGate)
        {
            if (!_notificationsByKey.TryAdd(notification.EventKey, _notifications.Count))
            {
                return Task.FromResult(false);
            }

            _notifications.Add(notification);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task UpdateAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_notificationsGate)
        {
            var index = _notifications.FindIndex(n => n.Id == notification.Id);
            if (index >= 0)
            {
                // What UpdateAsync writes; the rest was fixed at claim, and the count changes only by AddToCountAsync.
                _notifications[index] = _notifications[index] with
                {
                    Status = notification.Status,
                    Attempts = notification.Attempts,
                    Error = notification.Error,
                    SentAt = notification.SentAt,
                    NextAttemptAt = notification.NextAttemptAt,
                    OwnerId = notification.OwnerId,
                };
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int?> AddToCountAsync(Guid notificationId, int count = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_notificationsGate)
        {
            var index = _notifications.FindIndex(n => n.Id == notificationId);
            if (index < 0)
            {
                return Task.FromResult<int?>(null);
            }

            _notifications[index] = _notifications[index] with { Count = _notifications[index].Count + count };
            return Task.FromResult<int?>(_notifications[index].Count);
        }
    }

    /// <inheritdoc />
    public Task<NotificationRecord?> GetNotificationAsync(Guid notificationId, CancellationToken cancellationToken = default)
    {
        lock (_notificationsGate)
        {
            return Task.FromResult(_notifications.Find(n => n.Id == notificationId));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_notificationsGate)
        {
            return Task.FromResult<IReadOnlyList<NotificationRecord>>([.. _notifications.Where(n => n.RunId == runId)]);
        }
    }

    /// <inheritdoc />
    public Task<NotificationRecord?> GetLatestOfIncidentAsync(string incidentKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incidentKey);
        lock (_notificationsGate)
        {
            return Task.FromResult(_notifications.LastOrDefault(n => string.Equals(n.IncidentKey, incidentKey, StringComparison.Ordinal)));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<NotificationRecord>> TakeOverAbandonedAsync(Guid ownerId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var taken = new List<NotificationRecord>();
        lock (_notificationsGate)
        {
            for (var i = 0; i < _notifications.Count && taken.Count < limit; i++)
            {
                if (_notifications[i] is { Status: NotificationStatus.Pending, OwnerId: null } abandoned)
                {
                    _notifications[i] = abandoned with { OwnerId = ownerId };
                    taken.Add(_notifications[i]);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<NotificationRecord>>(taken);
    }

    /// <summary>Deletes, for pruning, the notifications about <paramref name="runIds"/>, and those about no run created before <paramref name="cutoff"/> and no longer Pending.</summary>
    private void PruneNotifications(HashSet<Guid> runIds, DateTimeOffset cutoff)
    {
        lock (_notificationsGate)
        {
            var removed = _notifications.RemoveAll(n => n.RunId is { } run ? runIds.Contains(run) : n.CreatedAt < cutoff && n.Status != NotificationStatus.Pending);
            if (removed > 0)
            {
                _notificationsByKey.Clear();
                for (var i = 0; i < _notifications.Count; i++)
                {
                    _notificationsByKey[_notifications[i].EventKey] = i;
                }
            }
        }
    }
}

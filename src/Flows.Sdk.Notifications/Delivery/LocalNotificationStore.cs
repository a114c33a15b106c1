using Flows.Stores;

namespace Flows.Notifications.Delivery;

/// <summary>
/// Notification records kept in this process, for a run store that does not implement <see cref="INotificationStore"/>
/// (a custom one): notifications still go out, once per event from this process, but another process sharing the
/// store would send them too, and the CLI and the dashboard do not see them. The built-in stores record them.
/// </summary>
internal sealed class LocalNotificationStore : INotificationStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NotificationRecord> _byKey = new(StringComparer.Ordinal);
    private readonly List<NotificationRecord> _ordered = [];

    public Task<bool> TryClaimAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_byKey.TryAdd(notification.EventKey, notification))
            {
                return Task.FromResult(false);
            }

            _ordered.Add(notification);
            return Task.FromResult(true);
        }
    }

    public Task UpdateAsync(NotificationRecord notification, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var index = _ordered.FindIndex(n => n.Id == notification.Id);
            if (index >= 0)
            {
                _ordered[index] = notification;
                _byKey[notification.EventKey] = notification;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<NotificationRecord>>([.. _ordered.Where(n => n.RunId == runId)]);
        }
    }

    public Task<NotificationRecord?> GetLatestOfIncidentAsync(string incidentKey, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_ordered.LastOrDefault(n => string.Equals(n.IncidentKey, incidentKey, StringComparison.Ordinal)));
        }
    }

    // Nothing is abandoned: every record here belongs to this process, which still has it queued.
    public Task<IReadOnlyList<NotificationRecord>> TakeOverAbandonedAsync(Guid ownerId, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<NotificationRecord>>([]);
}

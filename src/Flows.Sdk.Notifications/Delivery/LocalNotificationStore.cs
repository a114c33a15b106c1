using Flows.Stores;

namespace Flows.Notifications.Delivery;

/// <summary>
/// Notification records kept in this process, for a run store that does not implement <see cref="INotificationStore"/>
/// (a custom one): notifications still go out, once per event from this process, but another process sharing the
/// store would send them too, and the CLI and the dashboard do not see them. The built-in stores record them. Kept by
/// an in-memory store, so they behave as the built-in stores' do (an update never undoes a count).
/// </summary>
internal sealed class LocalNotificationStore : INotificationStore
{
    private readonly InMemoryRunStore _records = new();

    public Task<bool> TryClaimAsync(NotificationRecord notification, CancellationToken cancellationToken = default) =>
        _records.TryClaimAsync(notification, cancellationToken);

    public Task UpdateAsync(NotificationRecord notification, CancellationToken cancellationToken = default) =>
        _records.UpdateAsync(notification, cancellationToken);

    public Task<int?> AddToCountAsync(Guid notificationId, int count = 1, CancellationToken cancellationToken = default) =>
        _records.AddToCountAsync(notificationId, count, cancellationToken);

    public Task<NotificationRecord?> GetNotificationAsync(Guid notificationId, CancellationToken cancellationToken = default) =>
        _records.GetNotificationAsync(notificationId, cancellationToken);

    public Task<IReadOnlyList<NotificationRecord>> GetNotificationsAsync(Guid runId, CancellationToken cancellationToken = default) =>
        _records.GetNotificationsAsync(runId, cancellationToken);

    public Task<NotificationRecord?> GetLatestOfIncidentAsync(string incidentKey, CancellationToken cancellationToken = default) =>
        _records.GetLatestOfIncidentAsync(incidentKey, cancellationToken);

    // Nothing is abandoned: every record here belongs to this process, which still has it queued.
    public Task<IReadOnlyList<NotificationRecord>> TakeOverAbandonedAsync(Guid ownerId, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<NotificationRecord>>([]);
}

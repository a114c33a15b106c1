namespace Flows.Notifications.Logging;

/// <summary>
/// Every event id Flows.Sdk.Notifications logs with, one constant per log line; the constant's name is the event's
/// name. An id is never changed or reused once released: dashboards and alerts filter on it.
/// </summary>
/// <remarks>
/// Range 7000–7999: 7000–7099 the run store's side of notifications, 7100–7199 channels and messages, 7200–7299 the
/// engine (rules, events, incidents, delivery). Add new constants at the end of their range.
/// </remarks>
internal static class NotificationEventIds
{
    // 7200–7299: the engine.
    public const int NotificationSent = 7200;
    public const int NotificationGrouped = 7201;
    public const int DeliveryAttemptFailed = 7202;
    public const int NotificationFailed = 7203;
    public const int NotificationsTakenOver = 7204;
    public const int PollFailed = 7205;
    public const int StoreNotShared = 7206;
}

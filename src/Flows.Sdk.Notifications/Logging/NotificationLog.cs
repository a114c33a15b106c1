using Microsoft.Extensions.Logging;

namespace Flows.Notifications.Logging;

/// <summary>The engine's log lines (ids in <see cref="NotificationEventIds"/>).</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(NotificationEventIds.NotificationSent, LogLevel.Information, "Notified {Event} of {Flow} (rule {Rule}) to {Channel} after {Attempts} attempt(s)", EventName = nameof(NotificationEventIds.NotificationSent))]
    public static partial void Sent(ILogger logger, string @event, string flow, string rule, string channel, int attempts);

    [LoggerMessage(NotificationEventIds.NotificationGrouped, LogLevel.Information, "{Event} of {Flow} (rule {Rule}, channel {Channel}) grouped into the incident's notification, now {Count} event(s)", EventName = nameof(NotificationEventIds.NotificationGrouped))]
    public static partial void Grouped(ILogger logger, string @event, string flow, string rule, string channel, int count);

    [LoggerMessage(NotificationEventIds.DeliveryAttemptFailed, LogLevel.Warning, "Notifying {Event} of {Flow} to {Channel} failed (attempt {Attempt} of {Attempts}), trying again in {DelaySeconds:0.###} s: {Error}", EventName = nameof(NotificationEventIds.DeliveryAttemptFailed))]
    public static partial void AttemptFailed(ILogger logger, string @event, string flow, string channel, int attempt, int attempts, double delaySeconds, string error);

    [LoggerMessage(NotificationEventIds.NotificationFailed, LogLevel.Error, "Notifying {Event} of {Flow} to {Channel} failed after {Attempts} attempt(s); recorded failed: {Error}", EventName = nameof(NotificationEventIds.NotificationFailed))]
    public static partial void Failed(ILogger logger, string @event, string flow, string channel, int attempts, string error);

    [LoggerMessage(NotificationEventIds.NotificationsTakenOver, LogLevel.Information, "Took over {Count} notification(s) a stopped process claimed and did not send", EventName = nameof(NotificationEventIds.NotificationsTakenOver))]
    public static partial void TakenOver(ILogger logger, int count);

    [LoggerMessage(NotificationEventIds.PollFailed, LogLevel.Warning, "Reading run events or recording notifications in the run store failed; trying again in {PollSeconds:0.###} s", EventName = nameof(NotificationEventIds.PollFailed))]
    public static partial void PollFailed(ILogger logger, Exception exception, double pollSeconds);

    [LoggerMessage(NotificationEventIds.StoreNotShared, LogLevel.Warning, "The run store ({Store}) does not record notifications: they are sent from this process alone, kept in memory, and not seen from the CLI or the dashboard", EventName = nameof(NotificationEventIds.StoreNotShared))]
    public static partial void StoreNotShared(ILogger logger, string store);
}

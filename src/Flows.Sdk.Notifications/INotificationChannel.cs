namespace Flows.Notifications;

/// <summary>
/// Where notifications go: a webhook, e-mail, or one's own. Channels are named; a rule sends to one or more by name or
/// instance. A channel throws when delivery failed; the sender retries with backoff and records each attempt.
/// </summary>
public interface INotificationChannel
{
    /// <summary>The channel's name, unique among the application's channels: how rules, records and pages name it.</summary>
    string Name { get; }

    /// <summary>Delivers <paramref name="message"/>; throws when it could not (the sender retries).</summary>
    Task SendAsync(NotificationMessage message, CancellationToken cancellationToken = default);
}

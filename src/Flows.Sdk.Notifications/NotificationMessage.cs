using System.Text.Json;

namespace Flows.Notifications;

/// <summary>
/// One notification: what happened, to which run, and what a person needs to act on it. Every text in it comes from
/// the run store, where secret values were masked before they were written; channels render it (plain text, HTML,
/// Slack, Teams) and add nothing from elsewhere.
/// </summary>
public sealed record NotificationMessage
{
    /// <summary>The notification's id (also its record's id in the run store).</summary>
    public required Guid Id { get; init; }

    /// <summary>The event that triggered it.</summary>
    public required RunEvent Event { get; init; }

    /// <summary>The rule that matched, by name.</summary>
    public required string Rule { get; init; }

    /// <summary>The flow.</summary>
    public required string Flow { get; init; }

    /// <summary>The deployment that started the run, if any.</summary>
    public string? Deployment { get; init; }

    /// <summary>The flow run; null for an event about a deployment with no run (<see cref="RunEvent.Silent"/>).</summary>
    public Guid? RunId { get; init; }

    /// <summary>The run's state when the event was seen (Failed, Running, Late, ...).</summary>
    public string? State { get; init; }

    /// <summary>The first lines of the run's error, masked as stored; null when it has none.</summary>
    public string? Error { get; init; }

    /// <summary>How long the run ran (or has been running, for <see cref="RunEvent.Stalled"/>).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The run's attempt.</summary>
    public int Attempt { get; init; }

    /// <summary>The run's parameters as stored (secrets masked).</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The run's page on the dashboard, when a dashboard address is configured.</summary>
    public Uri? RunUrl { get; init; }

    /// <summary>How many events this notification stands for: more than 1 when events of one incident were grouped.</summary>
    public int Count { get; init; } = 1;

    /// <summary>When the first event it stands for happened.</summary>
    public required DateTimeOffset FirstAt { get; init; }

    /// <summary>When the last event it stands for happened.</summary>
    public required DateTimeOffset LastAt { get; init; }

    /// <summary>One line saying what happened: <c>voter-sync failed (deployment voter-sync-nightly)</c>.</summary>
    public required string Title { get; init; }
}

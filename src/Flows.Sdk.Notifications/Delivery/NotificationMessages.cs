using System.Text.Json;
using Flows.Notifications.Channels;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Notifications.Delivery;

/// <summary>What a channel is handed for a notification: its title and the facts of its run or deployment, masked as the store keeps them.</summary>
internal static class NotificationMessages
{
    /// <summary>
    /// The message for <paramref name="record"/>, about <paramref name="run"/> (null for a Silent deployment, silent for
    /// <paramref name="silentFor"/>); <paramref name="incidentSince"/> is when its grouped incident began, if it ends one.
    /// </summary>
    public static NotificationMessage Build(NotificationRecord record, RunRecord? run, TimeSpan? silentFor, DateTimeOffset? incidentSince, NotificationsOptions options, DateTimeOffset now)
    {
        var kind = Enum.Parse<RunEvent>(record.Event);
        var isRun = record.RunId is not null;
        return new NotificationMessage
        {
            Id = record.Id,
            Event = kind,
            Rule = record.Rule,
            Flow = record.Flow,
            Deployment = record.Deployment,
            RunId = record.RunId,
            State = isRun ? run?.State.ToString() : null,
            Error = MessageText.FirstLines(run?.Error, options.ErrorLines),
            Duration = kind == RunEvent.Stalled ? now - run?.StartedAt : isRun ? run?.Duration : silentFor,
            Attempt = run?.Attempt ?? 0,
            Parameters = isRun ? ParametersOf(run?.Parameters) : new Dictionary<string, JsonElement>(),
            RunUrl = record.RunId is { } runId ? MessageText.RunUrl(options.DashboardUrl, runId) : null,
            Count = record.Count,
            FirstAt = incidentSince ?? record.CreatedAt,
            LastAt = kind == RunEvent.Recovered && run?.EndedAt is { } recoveredAt ? recoveredAt : now,
            Title = Title(kind, record, silentFor),
        };
    }

    private static Dictionary<string, JsonElement> ParametersOf(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string Title(RunEvent kind, NotificationRecord record, TimeSpan? silentFor)
    {
        var what = kind switch
        {
            RunEvent.Failed => "failed",
            RunEvent.Crashed => "crashed",
            RunEvent.TimedOut => "timed out",
            RunEvent.Cancelled => "was cancelled",
            RunEvent.Completed => "completed",
            RunEvent.Late => "is late",
            RunEvent.Stalled => "is still running",
            RunEvent.Silent => $"completed no run for {silentFor:g}",
            _ => record.Count > 1 ? $"recovered after {record.Count} failures" : "recovered",
        };
        return kind == RunEvent.Silent
            ? $"Deployment {record.Deployment} {what}"
            : record.Deployment is null ? $"{record.Flow} {what}" : $"{record.Flow} {what} (deployment {record.Deployment})";
    }
}

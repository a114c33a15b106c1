using Flows.Dashboard.Rendering;
using Flows.Stores;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// The notifications about a run (sent, grouped into their incident's, pending or failed), as the run store records
/// them: event, rule, channel, status, attempts, the events counted into it, when it was sent and why it failed.
/// </summary>
internal static class NotificationList
{
    public static async Task<Html> RenderAsync(RunData data)
    {
        var notifications = await data.NotificationsAsync().ConfigureAwait(false);
        if (notifications.Count == 0)
        {
            return Html.Raw("<p class=\"muted\">No notifications.</p>");
        }

        return Html.Of($"""
            <div class="table-wrap"><table class="notifications">
            <caption class="sr">Notifications sent about this run</caption>
            <thead><tr><th scope="col">Event</th><th scope="col">Rule</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Events</th><th scope="col" class="hide-narrow">Sent</th><th scope="col">Error</th></tr></thead>
            <tbody>{Html.Join(notifications, Row)}</tbody>
            </table></div>
            """);
    }

    private static Html Row(NotificationRecord n) => Html.Of($"""
        <tr class="notification-{n.Status.ToString().ToLowerInvariant()}"><td>{n.Event}</td><td>{n.Rule}</td><td>{n.Channel}</td><td>{Status(n.Status)}</td><td>{n.Attempts}</td><td>{n.Count}</td><td class="hide-narrow">{Format.Time(n.SentAt)}</td><td>{(n.Error is null ? Html.Raw("<span class=\"none\">—</span>") : Html.Text(n.Error))}</td></tr>
        """);

    private static string Status(NotificationStatus status) => status switch
    {
        NotificationStatus.Grouped => "Grouped into its incident's notification",
        _ => status.ToString(),
    };
}

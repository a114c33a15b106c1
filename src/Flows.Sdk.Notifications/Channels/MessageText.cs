using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Flows.Notifications.Channels;

/// <summary>
/// Renders a <see cref="NotificationMessage"/> as people read it: the same facts, in the same order, as plain text,
/// HTML (every value encoded) or name/value pairs for chat cards. Only the message's own fields are rendered; a channel
/// adds nothing from its configuration, so no target, token or password can reach a body.
/// </summary>
internal static class MessageText
{
    /// <summary>The facts of a message, in display order, each with its label: those a message has.</summary>
    public static IReadOnlyList<(string Label, string Value)> Facts(NotificationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var facts = new List<(string, string)>
        {
            ("Event", message.Event.ToString()),
            ("Flow", message.Flow),
        };
        if (message.Deployment is { } deployment)
        {
            facts.Add(("Deployment", deployment));
        }

        if (message.RunId is { } runId)
        {
            facts.Add(("Run", runId.ToString()));
        }

        if (message.State is { } state)
        {
            facts.Add(("State", state));
        }

        if (message.Duration is { } duration)
        {
            facts.Add(("Duration", FormatDuration(duration)));
        }

        if (message.Attempt > 0)
        {
            facts.Add(("Attempt", message.Attempt.ToString(CultureInfo.InvariantCulture)));
        }

        if (message.Count > 1)
        {
            facts.Add(("Count", string.Create(CultureInfo.InvariantCulture, $"{message.Count} events from {Format(message.FirstAt)} to {Format(message.LastAt)}")));
        }
        else
        {
            facts.Add(("At", Format(message.LastAt)));
        }

        facts.Add(("Rule", message.Rule));
        return facts;
    }

    /// <summary>The run's parameters as <c>name = json</c>, in name order (values as stored: secrets already masked).</summary>
    public static IReadOnlyList<(string Name, string Value)> Parameters(NotificationMessage message) =>
        [.. message.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, ParameterValue(p.Value)))];

    /// <summary>The first <paramref name="lines"/> lines of <paramref name="error"/>, with a last line saying how many were left out.</summary>
    public static string? FirstLines(string? error, int lines)
    {
        if (error is null)
        {
            return null;
        }

        var all = error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        if (lines <= 0 || all.Length <= lines)
        {
            return string.Join('\n', all);
        }

        return string.Join('\n', all.Take(lines)) + string.Create(CultureInfo.InvariantCulture, $"\n... ({all.Length - lines} more {(all.Length - lines == 1 ? "line" : "lines")})");
    }

    /// <summary>The run's page on the dashboard at <paramref name="dashboard"/> (<c>https://ops.example.org/flows</c> gives <c>.../flows/runs/&lt;id&gt;</c>); null without a dashboard.</summary>
    public static Uri? RunUrl(Uri? dashboard, Guid runId)
    {
        if (dashboard is null)
        {
            return null;
        }

        var root = dashboard.AbsoluteUri.EndsWith('/') ? dashboard : new Uri(dashboard.AbsoluteUri + "/");
        return new Uri(root, string.Create(CultureInfo.InvariantCulture, $"runs/{runId}"));
    }

    /// <summary>The message as plain text: the title, the facts, the error, the parameters and the run's link.</summary>
    public static string PlainText(NotificationMessage message)
    {
        var text = new StringBuilder();
        text.Append(message.Title).Append('\n').Append('\n');
        foreach (var (label, value) in Facts(message))
        {
            text.Append(label).Append(": ").Append(value).Append('\n');
        }

        if (message.Error is { } error)
        {
            text.Append('\n').Append("Error:").Append('\n');
            foreach (var line in error.ReplaceLineEndings("\n").Split('\n'))
            {
                text.Append("    ").Append(line).Append('\n');
            }
        }

        var parameters = Parameters(message);
        if (parameters.Count > 0)
        {
            text.Append('\n').Append("Parameters:").Append('\n');
            foreach (var (name, value) in parameters)
            {
                text.Append("    ").Append(name).Append(" = ").Append(value).Append('\n');
            }
        }

        if (message.RunUrl is { } url)
        {
            text.Append('\n').Append("Open the run: ").Append(url.AbsoluteUri).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The message as an HTML document; every value from the message is HTML-encoded.</summary>
    public static string Html(NotificationMessage message)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family: sans-serif\">");
        html.Append("<h2>").Append(Encode(message.Title)).Append("</h2>");
        html.Append("<table>");
        foreach (var (label, value) in Facts(message))
        {
            html.Append("<tr><th style=\"text-align: left; padding-right: 1em\">").Append(Encode(label)).Append("</th><td>")
                .Append(Encode(value)).Append("</td></tr>");
        }

        html.Append("</table>");
        if (message.Error is { } error)
        {
            html.Append("<h3>Error</h3><pre>").Append(Encode(error)).Append("</pre>");
        }

        var parameters = Parameters(message);
        if (parameters.Count > 0)
        {
            html.Append("<h3>Parameters</h3><table>");
            foreach (var (name, value) in parameters)
            {
                html.Append("<tr><th style=\"text-align: left; padding-right: 1em\">").Append(Encode(name)).Append("</th><td><code>")
                    .Append(Encode(value)).Append("</code></td></tr>");
            }

            html.Append("</table>");
        }

        if (message.RunUrl is { } url)
        {
            html.Append("<p><a href=\"").Append(Encode(url.AbsoluteUri)).Append("\">Open the run</a></p>");
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    /// <summary>HTML-encodes <paramref name="value"/>.</summary>
    public static string Encode(string value) => WebUtility.HtmlEncode(value);

    /// <summary><c>1h 02m 03s</c>, <c>4m 05s</c>, <c>6.2s</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration.TotalHours >= 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h {duration.Minutes:00}m {duration.Seconds:00}s");
        }

        return duration.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m {duration.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");
    }

    private static string Format(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string ParameterValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();
}

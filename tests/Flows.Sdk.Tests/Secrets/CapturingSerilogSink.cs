using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Flows.Tests.Secrets;

/// <summary>A Serilog sink that keeps every event, and shows each the ways a Serilog sink can write it.</summary>
internal sealed class CapturingSerilogSink : ILogEventSink
{
    private readonly List<LogEvent> _events = [];

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>
    /// Everything a sink could write for an event: its template, its rendered message, and the event as Serilog's JSON
    /// formatter writes it (template, rendering and every property, nested values included).
    /// </summary>
    public static string Show(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var json = new StringWriter();
        new JsonFormatter(renderMessage: true).Format(logEvent, json);
        var properties = string.Join("\n", logEvent.Properties.Select(p => $"{p.Key}={p.Value}"));
        return string.Join("\n", logEvent.MessageTemplate.Text, logEvent.RenderMessage(), json.ToString(), properties);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.Logging;

/// <summary>
/// Writes each log event of the given categories as one parseable line on standard output:
/// <c>EVENT &lt;id&gt; &lt;deployment&gt; &lt;slot&gt; &lt;message&gt;</c> (<c>-</c> for a value the event does not carry). Shared by the
/// test helpers (linked into Flows.Sdk.ClusterHelper), which write their own lines through <see cref="WriteLine"/> so
/// that no two lines interleave.
/// </summary>
internal sealed class EventLines(params string[] categories) : ILoggerProvider, ILogger
{
    private static readonly Lock Gate = new();

    /// <summary>Writes one whole line, never interleaved with an event's.</summary>
    public static void WriteLine(string line)
    {
        lock (Gate)
        {
            Console.WriteLine(line);
        }
    }

    public ILogger CreateLogger(string categoryName) => categories.Contains(categoryName, StringComparer.Ordinal) ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        var deployment = values.FirstOrDefault(v => v.Key == "Deployment").Value;
        var slot = values.FirstOrDefault(v => v.Key == "Slot").Value is DateTimeOffset s ? s.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : "-";
        WriteLine($"EVENT {eventId.Id} {deployment ?? "-"} {slot} {formatter(state, exception).ReplaceLineEndings(" ")}");
    }

    public void Dispose()
    {
    }
}

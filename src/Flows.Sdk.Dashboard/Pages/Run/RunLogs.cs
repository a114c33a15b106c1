using System.Globalization;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Runs;
using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// A run's log lines (for a flow run, its task runs' too), filtered by least level and by task with GET parameters
/// (<c>?level=Warning&amp;task=load</c>), the newest <see cref="MaxLines"/> shown.
/// </summary>
internal static class RunLogs
{
    /// <summary>The most lines shown; the page says how many matched.</summary>
    public const int MaxLines = 500;

    private static readonly LogLevel[] Levels = [LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical];

    /// <summary>The filter the request asks for; null and a message naming the parameter when a value is not valid.</summary>
    public static LogFilter? ReadFilter(DashboardContext context, out string? error)
    {
        error = null;
        var query = context.Http.Request.Query;
        var levelText = query["level"].ToString().Trim();
        var level = LogLevel.Trace;
        if (levelText.Length > 0 && !TryLevel(levelText, out level))
        {
            error = $"level: '{levelText}' is not a log level; use one of {string.Join(", ", Levels)}.";
            return null;
        }

        var task = query["task"].ToString().Trim();
        if (task.Length > 200)
        {
            error = "task: a task name is at most 200 characters.";
            return null;
        }

        return new LogFilter(level, task.Length == 0 ? null : task);
    }

    /// <summary>The filter form (a GET form: its values live in the address, so a filtered view can be shared).</summary>
    public static Html Form(DashboardContext context, RunRecord run, LogFilter filter, IEnumerable<string> taskNames)
    {
        var names = taskNames.Prepend(run.Name).Append(filter.Task).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return Html.Of($"""
            <form class="filters" method="get" action="{context.Url($"/runs/{run.Id}")}#logs">
            <label for="log-level">Least level<select id="log-level" name="level">{Html.Join(Levels, l => Option(l.ToString(), l.ToString(), l == filter.Level))}</select></label>
            <label for="log-task">Task<select id="log-task" name="task">{Option(string.Empty, "All", filter.Task is null)}{Html.Join(names, n => Option(n, n == run.Name ? $"{n} (the run itself)" : n, n == filter.Task))}</select></label>
            <button type="submit">Filter</button>
            </form>
            """);
    }

    public static async Task<Html> RenderAsync(RunData data, RunRecord run, LogFilter filter)
    {
        var logs = await data.LogsAsync().ConfigureAwait(false);
        var names = new Dictionary<Guid, string> { [run.Id] = run.Name };
        if (run.Kind == RunKind.Flow)
        {
            var children = await data.ChildrenAsync().ConfigureAwait(false);
            foreach (var child in children.Tasks.Concat(children.Subflows))
            {
                names[child.Id] = child.Name;
            }
        }

        var matching = logs.Where(l => l.Level >= filter.Level && (filter.Task is null || Source(l, names) == filter.Task)).ToList();
        if (matching.Count == 0)
        {
            return Html.Of($"<p class=\"muted\">{(logs.Count == 0 ? "No log lines yet." : "No log lines match the filter.")}</p>");
        }

        var shown = matching.Count > MaxLines ? matching.GetRange(matching.Count - MaxLines, MaxLines) : matching;
        var count = Html.Of($"<p class=\"muted\">{(shown.Count < matching.Count ? string.Create(CultureInfo.InvariantCulture, $"Showing the newest {shown.Count} of {matching.Count:N0} matching lines.") : string.Create(CultureInfo.InvariantCulture, $"{matching.Count:N0} lines."))}</p>");
        return Html.Of($"""
            {count}
            <ol class="logs">{Html.Join(shown, l => Line(l, Source(l, names)))}</ol>
            """);
    }

    private static Html Line(RunLogEntry line, string source) => Html.Of($"""
        <li class="log log-{line.Level.ToString().ToLowerInvariant()}">{Format.Time(line.Timestamp)} <span class="level">{line.Level.ToString()}</span> <span class="source">{source}</span> <span class="message">{line.Message}</span>{Html.If(line.Exception is not null, Html.Of($"<details><summary>Exception</summary><pre>{line.Exception}</pre></details>"))}</li>
        """);

    private static string Source(RunLogEntry line, Dictionary<Guid, string> names) =>
        names.TryGetValue(line.RunId, out var name) ? name : line.Category;

    private static Html Option(string value, string text, bool selected) =>
        selected ? Html.Of($"<option value=\"{value}\" selected>{text}</option>") : Html.Of($"<option value=\"{value}\">{text}</option>");

    private static bool TryLevel(string text, out LogLevel level)
    {
        level = Levels.FirstOrDefault(l => string.Equals(l.ToString(), text, StringComparison.OrdinalIgnoreCase), LogLevel.None);
        return level != LogLevel.None;
    }
}

/// <summary>Which log lines a run's page shows.</summary>
/// <param name="Level">The least level.</param>
/// <param name="Task">Only lines of task runs (or the run itself) of this name; null for all.</param>
internal sealed record LogFilter(LogLevel Level, string? Task);

using System.Globalization;
using Flows.Dashboard.Rendering;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Dashboard.Pages.Runs;

/// <summary>
/// The runs page's charts as inline SVG, drawn on the server: runs by state over time (stacked bars) and p50/p95
/// durations per flow. Each has a text alternative: a caption saying what it shows, and the figures as a table.
/// </summary>
internal static class RunsCharts
{
    private const int Width = 720;
    private const int Height = 160;
    private const int MaxFlows = 15;

    /// <summary>The order states stack in, bottom up: finished well, finished badly, then in progress and waiting.</summary>
    public static readonly RunState[] StateOrder =
    [
        RunState.Completed, RunState.Cached, RunState.Failed, RunState.Crashed, RunState.TimedOut, RunState.Cancelled,
        RunState.Running, RunState.Retrying, RunState.Pending, RunState.Late, RunState.Scheduled,
    ];

    /// <summary>Runs by state over the window's buckets, with a legend and the figures in a table.</summary>
    public static Html StatesOverTime(RunStatistics statistics, TimeSpan bucket)
    {
        var buckets = statistics.Buckets;
        var max = Math.Max(1, buckets.Count == 0 ? 0 : buckets.Max(b => b.Total));
        var slot = (double)Width / Math.Max(1, buckets.Count);
        var bars = Html.Join(buckets.Select((b, i) => (b, i)), e =>
        {
            var y = (double)Height;
            var segments = Html.Join(StateOrder.Where(s => e.b.Counts.GetValueOrDefault(s) > 0), state =>
            {
                var height = e.b.Counts[state] * (double)Height / max;
                y -= height;
                return Html.Of($"<rect class=\"bar-{Format.StateClass(state)}\" x=\"{N(e.i * slot + slot * 0.1)}\" y=\"{N(y)}\" width=\"{N(slot * 0.8)}\" height=\"{N(height)}\"></rect>");
            });
            var label = $"{e.b.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC: {Describe(e.b.Counts, e.b.Total)}";
            return Html.Of($"<g><title>{label}</title>{segments}</g>");
        });
        var states = StateOrder.Where(s => statistics.Count(s) > 0).ToArray();
        var first = buckets.Count == 0 ? (DateTimeOffset?)null : buckets[0].Start;
        var last = buckets.Count == 0 ? (DateTimeOffset?)null : buckets[^1].Start + bucket;
        return Html.Of($"""
            <figure class="chart">
            <figcaption id="chart-states-caption">Runs by state, per {Per(bucket)} (the tallest bar is {max} {(max == 1 ? "run" : "runs")})</figcaption>
            <svg class="chart-states" viewBox="0 0 {Width} {Height}" preserveAspectRatio="none" role="img" aria-labelledby="chart-states-caption">{bars}</svg>
            <div class="chart-axis"><span>{Format.Time(first)}</span><span>{Format.Time(last)}</span></div>
            <ul class="legend">{Html.Join(states, s => Html.Of($"<li><span class=\"swatch bar-{Format.StateClass(s)}\" aria-hidden=\"true\"></span>{s.ToString()}</li>"))}</ul>
            <details><summary>Runs by state as a table</summary><div class="table-wrap"><table class="chart-data">
            <thead><tr><th scope="col">From</th>{Html.Join(states, s => Html.Of($"<th scope=\"col\">{s.ToString()}</th>"))}<th scope="col">Total</th></tr></thead>
            <tbody>{Html.Join(buckets.Where(b => b.Total > 0), b => Html.Of($"<tr><td>{Format.Time(b.Start)}</td>{Html.Join(states, s => Html.Of($"<td>{b.Counts.GetValueOrDefault(s)}</td>"))}<td>{b.Total}</td></tr>"))}</tbody>
            </table></div></details>
            </figure>
            """);
    }

    /// <summary>Each flow's median and 95th percentile duration as two bars, and the figures beside them.</summary>
    public static Html Durations(RunStatistics statistics, Func<string, string> flowLink)
    {
        var flows = statistics.Flows.OrderByDescending(f => f.Count).ThenBy(f => f.Name, StringComparer.Ordinal).Take(MaxFlows).ToArray();
        if (flows.Length == 0)
        {
            return Html.Raw("<p class=\"muted\">No runs in this window.</p>");
        }

        var longest = Math.Max(1, flows.Max(f => f.P95?.Ticks ?? 0));
        Html Bar(string kind, TimeSpan? value) => value is { } v
            ? Html.Of($"<rect class=\"{kind}\" x=\"0\" y=\"{(kind == "p50" ? "1" : "9")}\" width=\"{N(Math.Max(0.5, v.Ticks * 200.0 / longest))}\" height=\"7\"></rect>")
            : Html.Empty;
        return Html.Of($"""
            <div class="table-wrap"><table class="durations">
            <caption>Durations of runs that started and ended, per flow{(statistics.Flows.Count > MaxFlows ? $" (the {MaxFlows} with most runs)" : string.Empty)}: <span class="key p50">p50</span> the median, <span class="key p95">p95</span> 95 in 100 took at most</caption>
            <thead><tr><th scope="col">Flow</th><th scope="col">Runs</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col" class="hide-narrow"><span class="sr-only">p50 and p95 as bars</span></th></tr></thead>
            <tbody>{Html.Join(flows, f => Html.Of($"<tr><td><a href=\"{flowLink(f.Name)}\">{f.Name}</a></td><td>{f.Count}</td><td>{Format.Duration(f.P50)}</td><td>{Format.Duration(f.P95)}</td><td class=\"hide-narrow\"><svg class=\"chart-duration\" viewBox=\"0 0 200 17\" preserveAspectRatio=\"none\" aria-hidden=\"true\">{Bar("p50", f.P50)}{Bar("p95", f.P95)}</svg></td></tr>"))}</tbody>
            </table></div>
            """);
    }

    private static string Describe(IReadOnlyDictionary<RunState, long> counts, long total) =>
        total == 0 ? "no runs" : string.Join(", ", StateOrder.Where(s => counts.GetValueOrDefault(s) > 0).Select(s => $"{counts[s]} {s}"));

    /// <summary>A bucket size as words: "5 minutes", "hour", "6 hours", "day".</summary>
    private static string Per(TimeSpan bucket) => bucket switch
    {
        { TotalDays: 1 } => "day",
        { TotalHours: 1 } => "hour",
        { TotalMinutes: 1 } => "minute",
        { TotalDays: >= 1 } when bucket.TotalDays % 1 == 0 => $"{bucket.TotalDays:0} days",
        { TotalHours: >= 1 } when bucket.TotalHours % 1 == 0 => $"{bucket.TotalHours:0} hours",
        { TotalMinutes: >= 1 } when bucket.TotalMinutes % 1 == 0 => $"{bucket.TotalMinutes:0} minutes",
        _ => Format.Duration(bucket),
    };

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}

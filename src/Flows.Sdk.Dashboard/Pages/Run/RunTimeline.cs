using System.Globalization;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Runs;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// A Gantt chart of a run and its task runs, drawn with positioned elements (no script, no library): per run its waits
/// (Scheduled, Pending, Late, and Retrying between attempts) and its attempts, each labelled in words as well as coloured.
/// </summary>
internal static class RunTimeline
{
    /// <summary>The narrowest a span is drawn, in percent of the chart, so an instant run still shows.</summary>
    private const double MinWidth = 0.4;

    public static Html Render(
        DashboardContext context, RunRecord run, IReadOnlyList<RunRecord> children, IReadOnlyDictionary<Guid, IReadOnlyList<StateTransition>> transitions, DateTimeOffset now)
    {
        var from = run.CreatedAt;
        var to = run.EndedAt ?? (now > from ? now : from);
        foreach (var child in children)
        {
            to = Max(to, child.EndedAt ?? (child.State.IsFinal() ? child.CreatedAt : now));
        }

        var span = Math.Max((to - from).TotalMilliseconds, 1);
        var rows = new[] { run }.Concat(children).Select(r => Row(context, r, Spans(r, transitions.GetValueOrDefault(r.Id), now), from, span));
        return Html.Of($"""
            <div class="gantt">
            <div class="gantt-axis" aria-hidden="true"><span>{Format.Time(from)}</span><span>{Format.Duration(to - from)}</span><span>{Format.Time(to)}</span></div>
            <ol class="gantt-rows">{Html.Join(rows, r => r)}</ol>
            <p class="gantt-legend"><span class="seg-key seg-wait"></span> waiting (scheduled, pending, late) <span class="seg-key seg-retrying"></span> retry delay <span class="seg-key seg-running"></span> running <span class="seg-key seg-completed"></span> completed <span class="seg-key seg-failed"></span> failed attempt or run</p>
            </div>
            """);
    }

    /// <summary>A run's spans: from its transitions when read, else from its record (created, started, ended).</summary>
    internal static List<Span> Spans(RunRecord run, IReadOnlyList<StateTransition>? transitions, DateTimeOffset now)
    {
        var spans = new List<Span>();
        if (transitions is { Count: > 0 })
        {
            for (var i = 0; i < transitions.Count; i++)
            {
                var t = transitions[i];
                if (t.State.IsFinal())
                {
                    continue;
                }

                var next = i + 1 < transitions.Count ? transitions[i + 1] : null;
                var end = next?.Timestamp ?? run.EndedAt ?? now;
                var (kind, label) = t.State switch
                {
                    RunState.Running => next switch
                    {
                        null => ("running", $"Running, attempt {t.Attempt}"),
                        { State: RunState.Retrying } => ("failed", $"Attempt {t.Attempt} failed"),
                        { State: var ended } when ended.IsFinal() => (Format.StateClass(ended), $"Attempt {t.Attempt}: {ended}"),
                        _ => ("running", $"Running, attempt {t.Attempt}"),
                    },
                    RunState.Retrying => ("retrying", $"Retrying: waiting before attempt {t.Attempt + 1}"),
                    _ => ("wait", $"{t.State}: waiting to start"),
                };
                spans.Add(new Span(t.Timestamp, end, kind, label));
            }

            return spans;
        }

        if (run.StartedAt is { } started)
        {
            if (started > run.CreatedAt)
            {
                spans.Add(new Span(run.CreatedAt, started, "wait", "Pending: waiting to start"));
            }

            var ended = run.EndedAt;
            spans.Add(ended is null
                ? new Span(started, now, "running", $"Running, attempt {Math.Max(run.Attempt, 1)}")
                : new Span(started, ended.Value, Format.StateClass(run.State), $"{run.State}"));
        }
        else if (!run.State.IsFinal())
        {
            spans.Add(new Span(run.CreatedAt, now, "wait", $"{run.State}: waiting to start"));
        }
        else
        {
            spans.Add(new Span(run.CreatedAt, run.EndedAt ?? run.CreatedAt, Format.StateClass(run.State), $"{run.State} without running"));
        }

        return spans;
    }

    private static Html Row(DashboardContext context, RunRecord run, List<Span> spans, DateTimeOffset from, double total)
    {
        var described = string.Join("; ", spans.Select(s => $"{s.Label} for {Format.Duration(s.End - s.Start)}"));
        return Html.Of($"""
            <li class="gantt-row"><a class="gantt-label" href="{context.Url($"/runs/{run.Id}")}">{run.Name}</a><span class="gantt-track">{Html.Join(spans, s => Bar(s, from, total))}</span><span class="sr">{run.Name}: {described}</span></li>
            """);
    }

    private static Html Bar(Span span, DateTimeOffset from, double total)
    {
        var left = Math.Clamp((span.Start - from).TotalMilliseconds / total * 100, 0, 100);
        var width = Math.Clamp((span.End - span.Start).TotalMilliseconds / total * 100, MinWidth, 100 - Math.Min(left, 100 - MinWidth));
        var style = string.Create(CultureInfo.InvariantCulture, $"left:{left:0.###}%;width:{width:0.###}%");
        return Html.Of($"<span class=\"seg seg-{span.Kind}\" style=\"{style}\" title=\"{span.Label}: {Format.Duration(span.End - span.Start)}\"></span>");
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>One bar of the chart.</summary>
    internal sealed record Span(DateTimeOffset Start, DateTimeOffset End, string Kind, string Label);
}

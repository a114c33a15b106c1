using System.Globalization;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Runs;

namespace Flows.Dashboard.Pages.Run;

/// <summary>A flow run's task tree (task runs nested under the run that started them, subflows linked) and its timeline.</summary>
internal static class RunTasks
{
    /// <summary>The most task runs whose transitions the timeline reads (those retried); the others are drawn from their records.</summary>
    private const int MaxRetriedRead = 50;

    public static async Task<Html> RenderAsync(DashboardContext context, RunData data, RunRecord first)
    {
        var run = await data.RunAsync().ConfigureAwait(false) ?? first;
        var children = run.Kind == RunKind.Flow ? await data.ChildrenAsync().ConfigureAwait(false) : new RunChildren([], [], false);
        var rows = Ordered(run, children);
        var transitions = new Dictionary<Guid, IReadOnlyList<StateTransition>>
        {
            [run.Id] = await data.TransitionsAsync(run.Id).ConfigureAwait(false),
        };
        foreach (var retried in children.Tasks.Where(t => t.Attempt > 1 || t.State == RunState.Retrying).Take(MaxRetriedRead))
        {
            transitions[retried.Id] = await data.TransitionsAsync(retried.Id).ConfigureAwait(false);
        }

        var now = context.Time.GetUtcNow();
        var more = Html.If(children.More, Html.Of($"<p class=\"muted\">Showing the last {RunData.MaxTaskRuns} task runs of this run.</p>"));
        var tree = rows.Count == 0
            ? Html.Raw(run.Kind == RunKind.Flow ? "<p class=\"muted\">No task runs yet.</p>" : "<p class=\"muted\">No nested task runs.</p>")
            : Html.Of($"""
                <div class="table-wrap"><table class="tree">
                <caption class="sr">Task runs, nested under the run that started them</caption>
                <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col" class="hide-narrow">Started</th><th scope="col">Duration</th></tr></thead>
                <tbody>{Html.Join(rows, r => Row(context, r.Run, r.Depth, now))}</tbody>
                </table></div>
                """);
        return Html.Of($"""
            {more}
            {tree}
            <h3>Timeline</h3>
            {RunTimeline.Render(context, run, rows.Select(r => r.Run).ToList(), transitions, now)}
            """);
    }

    /// <summary>Task runs and subflows depth first, each under the run that started it, oldest first.</summary>
    private static List<(RunRecord Run, int Depth)> Ordered(RunRecord run, RunChildren children)
    {
        var all = children.Tasks.Concat(children.Subflows).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToList();
        var ids = all.Select(r => r.Id).ToHashSet();
        var byParent = all.ToLookup(r => r.ParentRunId is { } p && ids.Contains(p) ? p : run.Id);
        var ordered = new List<(RunRecord, int)>(all.Count);
        void Visit(Guid parent, int depth)
        {
            foreach (var child in byParent[parent])
            {
                ordered.Add((child, depth));
                Visit(child.Id, depth + 1);
            }
        }

        Visit(run.Id, 0);
        return ordered;
    }

    private static Html Row(DashboardContext context, RunRecord run, int depth, DateTimeOffset now)
    {
        var indent = (Math.Min(depth, 8) * 1.2).ToString("0.#", CultureInfo.InvariantCulture);
        var kind = run.Kind == RunKind.Flow ? Html.Raw(" <span class=\"muted\">subflow</span>") : Html.Empty;
        var duration = run.Duration is { } took
            ? Format.Duration((TimeSpan?)took)
            : run.StartedAt is { } started && !run.State.IsFinal() ? Html.Of($"{Format.Duration(now - started)} so far") : Format.Duration((TimeSpan?)null);
        var error = Html.If(!run.State.IsSuccess() && run.Error is not null, Html.Of($"<div class=\"task-error\">{run.Error}</div>"));
        return Html.Of($"""
            <tr data-task="{run.Name}"><td><span class="tree-name" style="padding-left:{indent}em">{Html.If(depth > 0, Html.Raw("<span aria-hidden=\"true\">└ </span>"))}<a href="{context.Url($"/runs/{run.Id}")}">{run.Name}</a>{kind}</span>{error}</td><td>{Format.State(run.State)}</td><td>{run.Attempt}</td><td class="hide-narrow">{Format.Time(run.StartedAt)}</td><td>{duration}</td></tr>
            """);
    }
}

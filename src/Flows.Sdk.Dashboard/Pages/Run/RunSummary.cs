using System.Text.Json;
using Flows.CompilerServices;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Runs;

namespace Flows.Dashboard.Pages.Run;

/// <summary>A run's facts (state, times, deployment, tags...), its cancel and retry controls, its parameters and its error.</summary>
internal static class RunSummary
{
    /// <summary>The forms the cancel and retry controls post with (outside the live region, so its markup, and so its ETag, stays the same between refreshes).</summary>
    public static Html ActionForms(DashboardContext context, Guid id) => Html.If(context.CanAct, Html.Of($"""
        <form id="run-cancel" class="action-form" method="post" action="{context.Url($"/runs/{id}/cancel")}" data-confirm="Cancel this run?">{context.AntiforgeryField()}</form>
        <form id="run-retry" class="action-form" method="post" action="{context.Url($"/runs/{id}/retry")}">{context.AntiforgeryField()}</form>
        """));

    public static async Task<Html> FactsAsync(DashboardContext context, RunData data, RunRecord first)
    {
        var run = await data.RunAsync().ConfigureAwait(false) ?? first;
        var now = context.Time.GetUtcNow();
        var duration = run.Duration is { } took
            ? Format.Duration((TimeSpan?)took)
            : run.StartedAt is { } started ? Html.Of($"{Format.Duration(now - started)} so far") : Format.Duration((TimeSpan?)null);
        return Html.Of($"""
            <p class="run-state">{Format.State(run.State)}{Html.If(run.Attempt > 1, Html.Of($" <span class=\"muted\">attempt {run.Attempt}</span>"))}</p>
            {Actions(context, run)}
            <dl class="facts">
            <dt>{(run.Kind == RunKind.Flow ? "Flow" : "Task")}</dt><dd>{(run.Kind == RunKind.Flow ? Html.Of($"<a href=\"{context.Url("/?flow=" + Uri.EscapeDataString(run.Name))}\" title=\"Runs of {run.Name}\">{run.Name}</a>") : Html.Text(run.Name))}</dd>
            <dt>Run id</dt><dd><code>{run.Id}</code></dd>
            {Html.If(run.Deployment is not null, Html.Of($"<dt>Deployment</dt><dd><a href=\"{context.Url("/deployments")}\">{run.Deployment}</a></dd>"))}
            {Html.If(run.FlowRunId is { } flowRun && flowRun != run.Id, Html.Of($"<dt>Flow run</dt><dd><a href=\"{context.Url($"/runs/{run.FlowRunId}")}\">{run.FlowRunId}</a></dd>"))}
            {Html.If(run.ParentRunId is { } parent && parent != run.FlowRunId, Html.Of($"<dt>Started by</dt><dd><a href=\"{context.Url($"/runs/{run.ParentRunId}")}\">{run.ParentRunId}</a></dd>"))}
            {Html.If(run.ScheduledFor is not null, Html.Of($"<dt>Scheduled for</dt><dd>{Format.Time(run.ScheduledFor)}</dd>"))}
            <dt>Created</dt><dd>{Format.Time(run.CreatedAt)}</dd>
            <dt>Started</dt><dd>{Format.Time(run.StartedAt)}</dd>
            <dt>Ended</dt><dd>{Format.Time(run.EndedAt)}</dd>
            <dt>Duration</dt><dd>{duration}</dd>
            <dt>Tags</dt><dd>{(run.Tags.Count == 0 ? Html.Raw("<span class=\"none\">—</span>") : Html.Join(run.Tags, t => Html.Of($"<span class=\"tag\">{t}</span> ")))}</dd>
            <dt>Version</dt><dd>{(run.Version is null ? Html.Raw("<span class=\"none\">—</span>") : Html.Text(run.Version))}</dd>
            </dl>
            """);
    }

    /// <summary>The run's parameters as it recorded them: secrets masked (<c>***</c>) by the engine before they were stored.</summary>
    public static Html Parameters(RunRecord run)
    {
        if (run.Kind != RunKind.Flow)
        {
            return Html.Empty;
        }

        var values = new List<(string Name, string Value)>();
        if (!string.IsNullOrEmpty(run.Parameters))
        {
            try
            {
                using var document = JsonDocument.Parse(run.Parameters);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    values.AddRange(document.RootElement.EnumerateObject().Select(p => (p.Name, JsonText(p.Value))));
                }
            }
            catch (JsonException)
            {
                return Html.Of($"<h2>Parameters</h2><pre>{run.Parameters}</pre>");
            }
        }

        return Html.Of($"""
            <h2>Parameters</h2>
            {(values.Count == 0
                ? Html.Raw("<p class=\"muted\">None.</p>")
                : Html.Of($"<div class=\"table-wrap\"><table class=\"parameters\"><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Value</th></tr></thead><tbody>{Html.Join(values, v => Html.Of($"<tr><th scope=\"row\"><code>{v.Name}</code></th><td><code>{v.Value}</code></td></tr>"))}</tbody></table></div>"))}
            """);
    }

    /// <summary>The error, and the stack of the last exception logged in the run when there is one.</summary>
    public static async Task<Html> ErrorAsync(RunData data, RunRecord first)
    {
        var run = await data.RunAsync().ConfigureAwait(false) ?? first;
        if (run.State.IsSuccess() || run.Error is null)
        {
            return Html.Empty;
        }

        var logs = await data.LogsAsync().ConfigureAwait(false);
        var stack = logs.LastOrDefault(l => l.Exception is not null)?.Exception;
        return Html.Of($"""
            <section class="run-error" aria-labelledby="error-heading">
            <h2 id="error-heading">Error</h2>
            <pre class="error-message">{run.Error}</pre>
            {Html.If(stack is not null, Html.Of($"<details open><summary>Stack</summary><pre class=\"stack\">{stack}</pre></details>"))}
            </section>
            """);
    }

    /// <summary>A JSON value as a person reads it: strings without their quotes, anything else as JSON.</summary>
    public static string JsonText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Null => "null",
        _ => value.GetRawText(),
    };

    private static Html Actions(DashboardContext context, RunRecord run)
    {
        if (!context.CanAct)
        {
            return Html.Empty;
        }

        if (run.Kind != RunKind.Flow)
        {
            return run.FlowRunId is { } flowRun
                ? Html.Of($"<p class=\"muted\">A task run is cancelled and retried with <a href=\"{context.Url($"/runs/{flowRun}")}\">its flow run</a>.</p>")
                : Html.Empty;
        }

        if (!run.State.IsFinal())
        {
            return Html.Of($"""
                <div class="actions">
                <label for="cancel-reason">Reason <span class="muted">(optional)</span></label>
                <input id="cancel-reason" name="reason" form="run-cancel" maxlength="{RunActions.MaxReasonLength}" autocomplete="off">
                <button type="submit" form="run-cancel" class="danger">Cancel run</button>
                </div>
                """);
        }

        return RunCatalog.FindFlow(run.Name) is null
            ? Html.Of($"<p class=\"muted\">Retry is not offered: this application's code does not declare the flow {run.Name}.</p>")
            : Html.Raw("<div class=\"actions\"><button type=\"submit\" form=\"run-retry\" class=\"primary\">Retry</button> <span class=\"muted\">a new run with the same parameters</span></div>");
    }
}

using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Orchestration;
using Flows.Runs;
using Flows.Stores;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>The deployments list (a live region): one card per deployment, with its actions when the dashboard can act.</summary>
internal static class DeploymentList
{
    /// <summary>How many of a deployment's runs its card shows.</summary>
    public const int LastRuns = 5;

    /// <summary>The longest pause reason taken.</summary>
    public const int MaxReason = 500;

    public static async Task<Html> RenderAsync(DashboardContext context)
    {
        // A page load (after a pause, say) reads afresh; the live refreshes of every open page share their answers.
        var live = context.Http.Request.Query.ContainsKey(DashboardContext.LiveParameter);
        var deployments = live
            ? await context.Sharing.GetAsync("deployments:list", ct => context.Deployments!.ListAsync(ct), context.Aborted).ConfigureAwait(false)
            : await context.Deployments!.ListAsync(context.Aborted).ConfigureAwait(false);
        if (deployments.Count == 0)
        {
            return Html.Raw("<p>No deployments yet. Declare one with <code>AddOrchestration(o =&gt; o.Deploy(...))</code> or give a flow <code>[Flow(Schedule = \"...\")]</code>.</p>");
        }

        var cards = new List<Html>();
        foreach (var deployment in deployments)
        {
            var query = new RunQuery { Kind = RunKind.Flow, Deployment = deployment.Name, Limit = LastRuns };
            var runs = live
                ? await context.Sharing.GetAsync($"deployments:last:{deployment.Name}", ct => context.Store.QueryRunsAsync(query, ct).AsTask(), context.Aborted).ConfigureAwait(false)
                : await context.Store.QueryRunsAsync(query, context.Aborted).ConfigureAwait(false);
            cards.Add(Card(context, deployment, runs));
        }

        return Html.Join(cards, c => c);
    }

    private static Html Card(DashboardContext context, DeploymentInfo d, IReadOnlyList<RunRecord> runs) => Html.Of($"""
        <section class="deployment" data-deployment="{d.Name}" aria-label="Deployment {d.Name}">
        <h2>{d.Name} {(d.Paused ? Html.Raw("<span class=\"state state-paused\">Paused</span>") : Html.Raw("<span class=\"state state-active\">Active</span>"))}</h2>
        {Html.If(d.Description is { Length: > 0 }, Html.Of($"<p class=\"muted\">{d.Description}</p>"))}
        <dl class="facts">
        <dt>Flow</dt><dd><a href="{context.Url("/?flow=" + Uri.EscapeDataString(d.Flow))}">{d.Flow}</a></dd>
        <dt>Schedule</dt><dd class="schedules">{Schedules(d)}</dd>
        <dt>Next runs</dt><dd>{Upcoming(d)}</dd>
        <dt>Last runs</dt><dd>{Last(context, d, runs)}</dd>
        <dt>Queue</dt><dd><code>{d.Queue}</code></dd>
        {Html.If(d.Tags.Count > 0, Html.Of($"<dt>Tags</dt><dd>{Html.Join(d.Tags, t => Html.Of($"<span class=\"tag\">{t}</span> "))}</dd>"))}
        {Html.If(d.Paused, Html.Of($"<dt>Paused</dt><dd class=\"pause\">{PauseText(d)}</dd>"))}
        </dl>
        {Actions(context, d)}
        </section>
        """);

    private static Html Schedules(DeploymentInfo d) =>
        d.ScheduleDefinitions.Count == 0
            ? Html.Raw("<span class=\"none\">No schedule: it runs when started.</span>")
            : Html.Join(d.ScheduleDefinitions, s => Html.Of($"<span class=\"schedule\" title=\"{ScheduleWords.Crontab(s)}\">{ScheduleWords.Describe(s)}</span>{Html.If(s.Cron is not null, Html.Of($" <span class=\"muted crontab\">{ScheduleWords.Crontab(s)}</span>"))}<br>"));

    private static Html Upcoming(DeploymentInfo d) =>
        d.Paused ? Html.Raw("<span class=\"none\">None while paused.</span>")
        : d.UpcomingFireTimes.Count == 0 ? Html.Raw("<span class=\"none\">None: its schedules have no slot left.</span>")
        : Html.Of($"<ol class=\"fire-times\">{Html.Join(d.UpcomingFireTimes, t => Html.Of($"<li>{Format.Time(t)}</li>"))}</ol>");

    private static Html Last(DashboardContext context, DeploymentInfo d, IReadOnlyList<RunRecord> runs) =>
        runs.Count == 0
            ? Html.Raw("<span class=\"none\">No runs yet.</span>")
            : Html.Of($"<ul class=\"last-runs\">{Html.Join(runs, r => Html.Of($"<li><a href=\"{context.Url($"/runs/{r.Id}")}\" title=\"Run {r.Id}\">{Format.State(r.State)}</a> {Format.Time(r.ScheduledFor ?? r.CreatedAt)}</li>"))}</ul> <a href=\"{context.Url("/?deployment=" + Uri.EscapeDataString(d.Name))}\">All runs of {d.Name}</a>");

    private static Html PauseText(DeploymentInfo d) => Html.Of(
        $"{(d.PauseReason is { Length: > 0 } reason ? Html.Of($"“{reason}”") : Html.Raw("No reason given"))}{(d.PausedBy is { } by ? Html.Of($" by {by}") : Html.Empty)}{(d.PausedAt is { } at ? Html.Of($", {Format.Time(at)}") : Html.Empty)}");

    /// <summary>
    /// The antiforgery token of each deployment's action form, outside the live list (tied to its form by the
    /// <c>form</c> attribute): a token is new on every render, so inside the list it would change the region's ETag on
    /// every refresh, costing every open page a full answer and a swap every 2 s. A deployment added after the page
    /// loaded has no token until the page is reloaded (its form is then refused with a message saying so).
    /// </summary>
    public static async Task<Html> TokensAsync(DashboardContext context)
    {
        if (!context.CanAct || context.Deployments is not { } deployments)
        {
            return Html.Empty;
        }

        var names = (await deployments.ListAsync(context.Aborted).ConfigureAwait(false)).Select(d => d.Name);
        var tokens = context.Http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context.Http);
        return Html.Of($"<div hidden>{Html.Join(names, n => Html.Of($"<input type=\"hidden\" form=\"{FormId(n)}\" name=\"{tokens.FormFieldName}\" value=\"{tokens.RequestToken}\">"))}</div>");
    }

    /// <summary>The element id of a deployment's action form: its name in hex, so any name makes a valid, unique id.</summary>
    private static string FormId(string deployment) => "act-" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(deployment));

    private static Html Actions(DashboardContext context, DeploymentInfo d)
    {
        if (!context.CanAct)
        {
            return Html.Empty;
        }

        var run = Html.Of($"<a class=\"button\" href=\"{context.Url(DeploymentLookup.PathOf(d.Name, "/run"))}\">Run now…</a>");
        var toggle = d.Paused
            ? Html.Of($"""
                <form class="inline" id="{FormId(d.Name)}" method="post" action="{context.Url(DeploymentLookup.PathOf(d.Name, "/resume"))}"><button type="submit" class="primary">Resume</button></form>
                """)
            : Html.Of($"""
                <form class="pause-form" id="{FormId(d.Name)}" method="post" action="{context.Url(DeploymentLookup.PathOf(d.Name, "/pause"))}">
                <label>Reason <input type="text" name="reason" required maxlength="{MaxReason}" placeholder="why it is paused"></label>
                <button type="submit" class="danger">Pause</button></form>
                """);
        return Html.Of($"<div class=\"actions\">{toggle} {run}</div>");
    }
}

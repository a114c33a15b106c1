using Flows.Dashboard.Hosting;
using Flows.Dashboard.Pages.Runs;
using Flows.Dashboard.Rendering;
using Flows.Runs;
using Flows.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>
/// The runs list, the dashboard's home page: filters in the URL (a GET form), counts by state (each a link filtering by
/// it), charts of runs by state over time and of durations per flow, and the runs newest first, paged by keyset. The
/// counts and charts, and the list, are live regions.
/// </summary>
internal static class RunsPage
{
    /// <summary>Runs per page.</summary>
    public const int PageSize = 50;

    /// <summary>What the browser checks a typed from or to time against before sending the form (the server reads more forms).</summary>
    private const string TimePattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}.*";

    public static void Map(RouteGroupBuilder group, DashboardMount mount) =>
        group.MapGet("/", (Delegate)((HttpContext http) => RenderAsync(DashboardContext.For(http, mount))));

    private static Task<IResult> RenderAsync(DashboardContext context)
    {
        var (filter, error) = RunsFilter.Parse(context.Http.Request.Query);
        if (error is not null)
        {
            context.Http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.PageAsync("Runs", Nav.Runs, Html.Raw("<h1>Runs</h1>"), Form(context, filter), Refused(error));
        }

        // The whole page asks the store for its two regions at once; a live refresh asks for one alone.
        var now = context.Time.GetUtcNow();
        var whole = context.Http.Request.Query[DashboardContext.LiveParameter].Count == 0;
        var summary = whole ? SummaryAsync(context, filter, now) : null;
        var list = whole ? ListAsync(context, filter, now) : null;
        return context.PageAsync(
            "Runs",
            Nav.Runs,
            Html.Raw("<h1>Runs</h1>"),
            Form(context, filter),
            PagePart.Live("counts", () => summary ?? SummaryAsync(context, filter, now)),
            Html.Raw("<h2 id=\"list-heading\">Runs, newest first</h2>"),
            PagePart.Live("list", () => list ?? ListAsync(context, filter, now)));
    }

    private static Html Refused(string error) => Html.Of($"<p class=\"notice error-notice\" role=\"alert\">{error}</p>");

    /// <summary>The filters as a GET form: submitting it puts them in the URL, so a filtered view is a link to share.</summary>
    private static Html Form(DashboardContext context, RunsFilter filter)
    {
        var window = filter.Window;
        return Html.Of($"""
            <form class="filters" method="get" action="{context.Url("/")}" role="search" aria-label="Filter runs">
            <label>Flow <input name="flow" value="{filter.Flow}" maxlength="200" autocomplete="off"></label>
            <label>Deployment <input name="deployment" value="{filter.Deployment}" maxlength="200" autocomplete="off"></label>
            <label>State <select name="state"><option value="">Any</option>{Html.Join(RunsCharts.StateOrder, s => Html.Of($"<option value=\"{s.ToString()}\"{Selected(filter.State == s)}>{s.ToString()}</option>"))}</select></label>
            <label>Tag <input name="tag" value="{filter.Tag}" maxlength="200" autocomplete="off"></label>
            <label>Window <select name="window">{Html.Join(RunsFilter.Presets, p => Html.Of($"<option value=\"{p.Value}\"{Selected(window == p.Value)}>{p.Label}</option>"))}<option value="custom"{Selected(window == "custom")}>From … to …</option></select></label>
            <label>From (UTC) <input name="from" value="{(filter.From is { } f ? RunsFilter.Iso(f) : null)}" placeholder="2026-01-31T06:00" pattern="{TimePattern}" title="A date and time such as 2026-01-31T06:00 (UTC) or with an offset, 2026-01-31T06:00+02:00"></label>
            <label>To (UTC) <input name="to" value="{(filter.To is { } t ? RunsFilter.Iso(t) : null)}" placeholder="now" pattern="{TimePattern}" title="A date and time such as 2026-01-31T18:00 (UTC), or empty for now"></label>
            <button type="submit" class="primary">Filter</button>
            <a class="button" href="{context.Url("/")}">Clear</a>
            </form>
            """);
    }

    private static Html Selected(bool selected) => selected ? Html.Raw(" selected") : Html.Empty;

    /// <summary>Counts by state (links filtering by each) and the charts, from the store's statistics of the window.</summary>
    private static async Task<Html> SummaryAsync(DashboardContext context, RunsFilter filter, DateTimeOffset now)
    {
        var query = filter.ToStatisticsQuery(now);
        var key = $"runs:stats:{query.From.UtcTicks}:{query.To.UtcTicks}:{query.BucketSize.Ticks}:{filter.Flow}\u001f{filter.Deployment}\u001f{filter.Tag}";
        var statistics = await context.Sharing.GetAsync(key, ct => context.Store.GetRunStatisticsAsync(query, ct).AsTask(), context.Aborted).ConfigureAwait(false);
        Html Count(RunState? state, string label, long count)
        {
            var target = filter.Newest() with { State = state };
            var current = filter.State == state ? Html.Raw(" aria-current=\"true\"") : Html.Empty;
            var badge = state is { } s ? Format.State(s) : Html.Of($"<span class=\"state state-all\">{label}</span>");
            return Html.Of($"<li><a href=\"{context.Url("/" + target.QueryString())}\"{current}>{badge} <span class=\"count\">{count}</span></a></li>");
        }

        return Html.Of($"""
            <section aria-labelledby="counts-heading">
            <h2 id="counts-heading">Counts by state <span class="muted">({Window(filter, query)})</span></h2>
            <ul class="counts">{Count(null, "All", statistics.Total)}{Html.Join(RunsCharts.StateOrder.Where(s => statistics.Count(s) > 0 || filter.State == s), s => Count(s, s.ToString(), statistics.Count(s)))}</ul>
            </section>
            <div class="charts">
            <section aria-labelledby="chart-heading"><h2 id="chart-heading">Runs over time</h2>{RunsCharts.StatesOverTime(statistics, query.BucketSize)}</section>
            <section aria-labelledby="durations-heading"><h2 id="durations-heading">Durations per flow</h2>{RunsCharts.Durations(statistics, name => context.Url("/" + (filter.Newest() with { Flow = name }).QueryString()))}</section>
            </div>
            """);
    }

    private static Html Window(RunsFilter filter, RunStatisticsQuery query) =>
        filter.Window == "custom"
            ? Html.Of($"{Format.Time(query.From)} to {(filter.To is null ? Html.Raw("now") : Format.Time(query.To))}")
            : Html.Text(RunsFilter.Presets.First(p => p.Value == filter.Window).Label.ToLowerInvariant());

    /// <summary>One keyset page of the runs, and links to the newer and older pages.</summary>
    private static async Task<Html> ListAsync(DashboardContext context, RunsFilter filter, DateTimeOffset now)
    {
        var query = filter.ToRunQuery(now, PageSize);
        var key = $"runs:list:{query.CreatedAfter?.UtcTicks}:{query.CreatedBefore?.UtcTicks}:{filter.State}:{filter.Page}:{filter.Flow}\u001f{filter.Deployment}\u001f{filter.Tag}";
        Flows.Stores.RunPage page;
        try
        {
            page = await context.Sharing.GetAsync(key, ct => context.Store.QueryRunPageAsync(query, ct).AsTask(), context.Aborted).ConfigureAwait(false);
        }
        catch (ArgumentException) when (filter.Page is not null)
        {
            context.Http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Html.Of($"<p class=\"notice error-notice\" role=\"alert\">The page link is not valid (its page token is not one this store issued). <a href=\"{context.Url("/" + filter.Newest().QueryString())}\">Start from the newest runs</a>.</p>");
        }

        var newer = filter.Newer();
        var paging = Html.Of($"""
            <nav class="paging" aria-label="Pages of runs">
            {(filter.Page is null ? Html.Raw("<span class=\"muted\">Newest</span>") : Html.Of($"<a href=\"{context.Url("/" + filter.Newest().QueryString())}\">Newest</a>"))}
            {(newer is null ? Html.Empty : Html.Of($"<a href=\"{context.Url("/" + newer.QueryString(withPage: true))}\" rel=\"prev\">← Newer</a>"))}
            {(page.NextPageToken is { } next ? Html.Of($"<a href=\"{context.Url("/" + filter.Older(next).QueryString(withPage: true))}\" rel=\"next\">Older →</a>") : Html.Raw("<span class=\"muted\">No older runs</span>"))}
            </nav>
            """);
        if (page.Runs.Count == 0)
        {
            return Html.Of($"<p class=\"empty\">No runs match these filters in this window.</p>{paging}");
        }

        return Html.Of($"""
            <div class="table-wrap"><table class="runs" aria-labelledby="list-heading">
            <thead><tr><th scope="col">Flow</th><th scope="col">State</th><th scope="col" class="hide-narrow">Deployment</th><th scope="col" class="hide-narrow">Tags</th><th scope="col">Created</th><th scope="col">Duration</th></tr></thead>
            <tbody>{Html.Join(page.Runs, r => Row(context, filter, r))}</tbody>
            </table></div>
            {paging}
            """);
    }

    private static Html Row(DashboardContext context, RunsFilter filter, RunRecord run) => Html.Of($"""
        <tr><td><a href="{context.Url($"/runs/{run.Id}")}">{run.Name}</a></td><td>{Format.State(run.State)}</td><td class="hide-narrow">{(run.Deployment is { } d ? Html.Of($"<a href=\"{context.Url("/" + (filter.Newest() with { Deployment = d }).QueryString())}\">{d}</a>") : Html.Raw("<span class=\"none\">—</span>"))}</td><td class="hide-narrow">{Html.Join(run.Tags, t => Html.Of($"<a class=\"tag\" href=\"{context.Url("/" + (filter.Newest() with { Tag = t }).QueryString())}\">{t}</a> "))}</td><td>{Format.Time(run.CreatedAt)}</td><td>{Format.Duration(run.Duration)}</td></tr>
        """);
}

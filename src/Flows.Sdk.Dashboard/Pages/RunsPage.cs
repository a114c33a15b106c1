using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Runs;
using Flows.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>The runs list: the dashboard's home page.</summary>
internal static class RunsPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount) =>
        group.MapGet("/", (Delegate)((HttpContext http) => RenderAsync(DashboardContext.For(http, mount))));

    private static Task<IResult> RenderAsync(DashboardContext context) =>
        context.PageAsync("Runs", Nav.Runs, Html.Raw("<h1>Runs</h1>"), PagePart.Live("list", () => ListAsync(context)));

    private static async Task<Html> ListAsync(DashboardContext context)
    {
        var query = new RunQuery { Kind = RunKind.Flow, Limit = 50 };
        var page = await context.Sharing.GetAsync("runs:first", ct => context.Store.QueryRunPageAsync(query, ct).AsTask(), context.Aborted).ConfigureAwait(false);
        return Html.Of($"""
            <table class="runs"><thead><tr><th scope="col">Flow</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Duration</th></tr></thead>
            <tbody>{Html.Join(page.Runs, r => Html.Of($"<tr><td><a href=\"{context.Url($"/runs/{r.Id}")}\">{r.Name}</a></td><td>{Format.State(r.State)}</td><td>{Format.Time(r.CreatedAt)}</td><td>{Format.Duration(r.Duration)}</td></tr>"))}</tbody></table>
            """);
    }
}

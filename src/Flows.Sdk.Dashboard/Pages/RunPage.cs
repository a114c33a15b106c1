using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>One run: its tasks, timeline, parameters, logs, artifacts and error, with cancel and retry.</summary>
internal static class RunPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount) =>
        group.MapGet("/runs/{id:guid}", (HttpContext http, Guid id) => RenderAsync(DashboardContext.For(http, mount), id));

    private static async Task<IResult> RenderAsync(DashboardContext context, Guid id)
    {
        if (await context.Store.GetRunAsync(id, context.Aborted).ConfigureAwait(false) is not { } run)
        {
            return Results.NotFound();
        }

        return await context.PageAsync(run.Name, Nav.Runs, Html.Of($"<h1>{run.Name}</h1>"), PagePart.Live("state", async () =>
        {
            var now = await context.Store.GetRunAsync(id, context.Aborted).ConfigureAwait(false) ?? run;
            return Format.State(now.State);
        })).ConfigureAwait(false);
    }
}

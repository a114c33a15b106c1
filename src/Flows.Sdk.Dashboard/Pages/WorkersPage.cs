using Flows.Dashboard.Hosting;
using Flows.Dashboard.Pages.Workers;
using Flows.Dashboard.Rendering;
using Flows.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>Workers: the processes sharing the run store, their roles and queues, last check-in and runs in flight.</summary>
internal static class WorkersPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount) =>
        group.MapGet("/workers", (Delegate)((HttpContext http) => RenderAsync(DashboardContext.For(http, mount))));

    private static Task<IResult> RenderAsync(DashboardContext context)
    {
        var store = context.Store;
        if (store is not IRunStoreNodes nodes)
        {
            return context.PageAsync(
                "Workers",
                Nav.Workers,
                Html.Of($"<h1>Workers</h1><p>The run store in use ({store.GetType().Name}) does not record the processes that use it, so there is no worker to list. The SQLite and PostgreSQL stores do.</p>"));
        }

        return context.PageAsync("Workers", Nav.Workers, Html.Concat(Html.Raw("<h1>Workers</h1>"), NodesView.Explanation(store)), PagePart.Live("nodes", () => NodesView.RenderAsync(context, nodes)));
    }
}

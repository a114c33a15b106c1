using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>Workers: the cluster's nodes, their queues, last check-in and runs in flight.</summary>
internal static class WorkersPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount) =>
        group.MapGet("/workers", (Delegate)((HttpContext http) => RenderAsync(DashboardContext.For(http, mount))));

    private static Task<IResult> RenderAsync(DashboardContext context) =>
        context.PageAsync("Workers", Nav.Workers, Html.Raw("<h1>Workers</h1>"));
}

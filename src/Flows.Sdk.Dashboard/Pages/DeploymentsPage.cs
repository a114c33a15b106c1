using Flows.Dashboard.Hosting;
using Flows.Dashboard.Pages.Deployments;
using Flows.Dashboard.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages;

/// <summary>Deployments: their schedules, next fire times and last runs, with pause, resume and run now.</summary>
internal static class DeploymentsPage
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount)
    {
        group.MapGet("/deployments", (Delegate)((HttpContext http) => RenderAsync(DashboardContext.For(http, mount))));
        DeploymentActions.Map(group, mount);
        RunNowPage.Map(group, mount);
    }

    private static Task<IResult> RenderAsync(DashboardContext context) =>
        context.Deployments is null
            ? Task.FromResult(DeploymentLookup.Frame(context, "Deployments", Html.Concat(Html.Raw("<h1>Deployments</h1>"), DeploymentLookup.NoOrchestration)))
            : context.PageAsync("Deployments", Nav.Deployments, Html.Raw("<h1>Deployments</h1>"), PagePart.Live("list", () => DeploymentList.RenderAsync(context)));
}

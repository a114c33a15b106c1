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

    private static async Task<IResult> RenderAsync(DashboardContext context)
    {
        if (context.Deployments is null)
        {
            return DeploymentLookup.Frame(context, "Deployments", Html.Concat(Html.Raw("<h1>Deployments</h1>"), DeploymentLookup.NoOrchestration));
        }

        // The forms' tokens only on a page load: a live refresh answers its region alone.
        var tokens = context.Http.Request.Query.ContainsKey(DashboardContext.LiveParameter) ? Html.Empty : await DeploymentList.TokensAsync(context).ConfigureAwait(false);
        return await context.PageAsync("Deployments", Nav.Deployments, Html.Raw("<h1>Deployments</h1>"), PagePart.Live("list", () => DeploymentList.RenderAsync(context)), tokens).ConfigureAwait(false);
    }
}

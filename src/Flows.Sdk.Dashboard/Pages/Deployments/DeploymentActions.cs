using Flows.Dashboard.Logging;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>Pause (with a reason, by the signed-in user) and resume, as POSTs from the deployments page.</summary>
internal static class DeploymentActions
{
    public static void Map(RouteGroupBuilder group, DashboardMount mount)
    {
        group.MapPost("/deployments/{name}/pause", (HttpContext http, string name) => PauseAsync(DashboardContext.For(http, mount), name));
        group.MapPost("/deployments/{name}/resume", (HttpContext http, string name) => ResumeAsync(DashboardContext.For(http, mount), name));
    }

    private static async Task<IResult> PauseAsync(DashboardContext context, string name)
    {
        if (await context.RefuseActionAsync().ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (deployment, missing) = await DeploymentLookup.FindAsync(context, name).ConfigureAwait(false);
        if (deployment is null)
        {
            return missing!;
        }

        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var reason = form["reason"].ToString().Trim();
        if (reason.Length == 0 || reason.Length > DeploymentList.MaxReason)
        {
            var problem = reason.Length == 0
                ? "A pause needs a reason: say why the deployment is paused, so whoever finds it paused knows whether it may be resumed."
                : $"The reason is {reason.Length} characters long; keep it to {DeploymentList.MaxReason}.";
            return DeploymentLookup.Frame(
                context,
                "Pause refused",
                Html.Of($"<h1>Pause {name}</h1><p class=\"notice error-notice deployment-notice\" role=\"alert\">Field 'reason': {problem}</p><p><a href=\"{context.Url("/deployments")}\">Back to deployments</a></p>"),
                StatusCodes.Status400BadRequest);
        }

        await context.Deployments!.PauseAsync(deployment.Name, reason, context.Requester, context.Aborted).ConfigureAwait(false);
        DeploymentLookup.Logger(context).Paused(deployment.Name, context.Requester, reason);
        return context.SeeOther("/deployments", $"Paused {deployment.Name}: no slot runs until it is resumed.");
    }

    private static async Task<IResult> ResumeAsync(DashboardContext context, string name)
    {
        if (await context.RefuseActionAsync().ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var (deployment, missing) = await DeploymentLookup.FindAsync(context, name).ConfigureAwait(false);
        if (deployment is null)
        {
            return missing!;
        }

        await context.Deployments!.ResumeAsync(deployment.Name, context.Aborted).ConfigureAwait(false);
        DeploymentLookup.Logger(context).Resumed(deployment.Name, context.Requester);
        return context.SeeOther("/deployments", $"Resumed {deployment.Name}: it runs from its next slot (the slots missed while paused are not run).");
    }
}

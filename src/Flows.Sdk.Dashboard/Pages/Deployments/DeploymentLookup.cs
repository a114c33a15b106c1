using Flows.Dashboard.Logging;
using Flows.Dashboard.Hosting;
using Flows.Dashboard.Rendering;
using Flows.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flows.Dashboard.Pages.Deployments;

/// <summary>What the deployments pages share: finding a deployment by name, and answers in the page frame with a status.</summary>
internal static class DeploymentLookup
{
    /// <summary>What the page says when the application has no orchestration, so no deployments.</summary>
    public static Html NoOrchestration => Html.Raw("""
        <p>Deployments run flows on schedules and from queues; this application does not use orchestration, so it has none.</p>
        <p>Add it where the application registers Flows, and declare a deployment (or give a flow <code>[Flow(Schedule = "...")]</code>):</p>
        <pre>services.AddFlows().AddOrchestration(o =&gt; o
            .Deploy("orders-nightly", "load-orders", d =&gt; d.Cron("0 6 * * 1-5", "America/New_York")));</pre>
        <p>See docs/deployments.md.</p>
        """);

    /// <summary>The deployments path of one deployment: <c>/deployments/{name}</c> with the name escaped.</summary>
    public static string PathOf(string deployment, string action = "") => "/deployments/" + Uri.EscapeDataString(deployment) + action;

    /// <summary><paramref name="main"/> in the page frame, answered with <paramref name="status"/>.</summary>
    public static IResult Frame(DashboardContext context, string title, Html main, int status = StatusCodes.Status200OK)
    {
        context.Http.Response.Headers.CacheControl = "no-store";
        return Results.Content(Layout.Render(context, title, Nav.Deployments, main).Value, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>The deployment, or the page saying why there is none (404: no orchestration, or no deployment of that name, listing them).</summary>
    public static async Task<(DeploymentInfo? Deployment, IResult? Missing)> FindAsync(DashboardContext context, string name)
    {
        if (context.Deployments is not { } deployments)
        {
            return (null, Frame(context, "Deployments", Html.Concat(Html.Raw("<h1>Deployments</h1>"), NoOrchestration), StatusCodes.Status404NotFound));
        }

        var all = await deployments.ListAsync(context.Aborted).ConfigureAwait(false);
        if (all.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal)) is { } found)
        {
            return (found, null);
        }

        var known = all.Count == 0 ? "(none)" : string.Join(", ", all.Select(d => d.Name));
        return (null, Frame(
            context,
            "No such deployment",
            Html.Of($"<h1>No such deployment</h1><p class=\"notice error-notice deployment-notice\" role=\"alert\">No deployment is named '{name}'. Deployments: {known}.</p><p><a href=\"{context.Url("/deployments")}\">All deployments</a></p>"),
            StatusCodes.Status404NotFound));
    }

    /// <summary>The logger of the deployments pages' actions.</summary>
    public static ILogger Logger(DashboardContext context) =>
        context.Http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(DashboardLog.Category) ?? NullLogger.Instance;
}

using Flows.Dashboard.Hosting;
using Flows.Dashboard.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// The one exception to the namespace rule (docs/architecture.md): MapX extensions live in the namespace of the type
// they extend, as ASP.NET Core's own do, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Mounts the run dashboard in an ASP.NET Core application.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the run dashboard under <paramref name="prefix"/>: runs, a run's page, deployments and workers. Returns
    /// the endpoints' group so authorization applies as anywhere in ASP.NET Core:
    /// <c>app.MapFlowsDashboard("/flows").RequireAuthorization("operators")</c>. Without authorization on its endpoints
    /// the dashboard is read-only (see <see cref="Flows.Dashboard.DashboardOptions.AllowActionsWithoutAuthorization"/>).
    /// Needs <c>services.AddFlowsDashboard()</c> and <c>services.AddFlows()</c>.
    /// </summary>
    public static RouteGroupBuilder MapFlowsDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/flows")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<DashboardMarker>() is null)
        {
            throw new InvalidOperationException("MapFlowsDashboard needs the dashboard's services: call services.AddFlowsDashboard() first.");
        }

        var normalised = "/" + prefix.Trim().Trim('/');
        if (normalised.Contains("//", StringComparison.Ordinal) || normalised.Contains('{', StringComparison.Ordinal) || normalised.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The dashboard prefix '{prefix}' is not a plain path (expected something like \"/flows\").", nameof(prefix));
        }

        var mount = new DashboardMount(normalised == "/" ? string.Empty : normalised);
        var group = endpoints.MapGroup(mount.Prefix.Length == 0 ? "/" : mount.Prefix);
        group.WithTags("Flows dashboard").ExcludeFromDescription();
        group.MapGet("/assets/{name}", (HttpContext http, string name) => Assets.Serve(http, name));
        RunsPage.Map(group, mount);
        RunPage.Map(group, mount);
        DeploymentsPage.Map(group, mount);
        WorkersPage.Map(group, mount);
        return group;
    }
}

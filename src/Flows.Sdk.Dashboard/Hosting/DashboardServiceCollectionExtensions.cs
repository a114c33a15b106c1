using Flows.Dashboard;
using Flows.Dashboard.Hosting;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of the type
// they extend, so they are found without a using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the run dashboard's services.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <c>app.MapFlowsDashboard(...)</c> needs: its options, the shared query answers, and ASP.NET Core's
    /// antiforgery (every action is a POST carrying a token). Call it beside <c>services.AddFlows()</c>.
    /// </summary>
    public static IServiceCollection AddFlowsDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.RefreshInterval >= TimeSpan.FromMilliseconds(250), "Flows:Dashboard: RefreshInterval must be at least 250 ms.")
            .Validate(o => o.QuerySharing >= TimeSpan.Zero, "Flows:Dashboard: QuerySharing must not be negative.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Title), "Flows:Dashboard: Title must not be empty.");
        services.AddAntiforgery();
        services.AddSingleton<DashboardMarker>();
        services.AddSingleton<QuerySharing>();
        return services;
    }
}

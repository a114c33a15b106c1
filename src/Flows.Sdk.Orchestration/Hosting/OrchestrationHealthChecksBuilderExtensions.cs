using Flows.Orchestration.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so builder.AddX(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Adds orchestration's health check to a host's health checks.</summary>
public static class OrchestrationHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports this replica to the platform's probes: <see cref="HealthStatus.Unhealthy"/> when its scheduler is not
    /// running (starting or stopping) or the job store or run store does not answer; <see cref="HealthStatus.Degraded"/>
    /// when the cluster signals are reconnecting or work is overdue in a queue (no live replica serves it, or all are
    /// saturated); <see cref="HealthStatus.Healthy"/> otherwise. Serve it with ASP.NET Core's <c>MapHealthChecks</c>
    /// (<c>app.MapHealthChecks("/healthz")</c>). Call <c>AddOrchestration</c> as well.
    /// </summary>
    /// <param name="builder">The host's health checks (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name in the report. Default <c>flows-orchestration</c>.</param>
    /// <param name="tags">Tags to filter the check by (for example <c>ready</c>, to serve it on a readiness endpoint only).</param>
    public static IHealthChecksBuilder AddFlowsOrchestration(this IHealthChecksBuilder builder, string name = "flows-orchestration", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            services => ActivatorUtilities.CreateInstance<OrchestrationHealthCheck>(services),
            failureStatus: HealthStatus.Unhealthy,
            tags,
            timeout: TimeSpan.FromSeconds(15)));
    }
}

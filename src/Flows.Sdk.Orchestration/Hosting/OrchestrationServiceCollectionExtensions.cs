using Flows;
using Flows.Orchestration;
using Flows.Orchestration.Cluster;
using Flows.Orchestration.Control;
using Flows.Orchestration.Hosting;
using Flows.Orchestration.Queueing;
using Flows.Orchestration.Running;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so services.AddX(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers orchestration (deployments run on schedules by Quartz.NET) in a host's services.</summary>
public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>
    /// Runs the application's deployments on their schedules while the host runs: every flow with
    /// <c>[Flow(Schedule = ...)]</c>, and every deployment <paramref name="configure"/> declares with
    /// <see cref="OrchestrationOptions.Deploy"/>. Options are bound from <c>Flows:Orchestration</c>, then
    /// <paramref name="configure"/> runs. On start the deployments are checked (a <see cref="DeploymentException"/>
    /// stops the host), reconciled with the Quartz job store (SQLite <c>quartz.db</c> beside the SQLite run store by
    /// default; the same database as a PostgreSQL run store), and fired; each slot runs at most once, on the host's
    /// <see cref="FlowEngine"/>. Runs queued with <see cref="IFlowClient"/> run the same way, in the replicas serving
    /// their queue (<see cref="OrchestrationOptions.Queues"/>). Registers <see cref="IDeployments"/> and
    /// <see cref="IFlowClient"/>. Call <c>AddFlows()</c> first.
    /// </summary>
    public static IServiceCollection AddOrchestration(this IServiceCollection services, Action<OrchestrationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(FlowEngine)))
        {
            throw new InvalidOperationException(
                "AddOrchestration runs deployments on the host's Flows engine: call services.AddFlows() before it, as in services.AddFlows().AddOrchestration(o => ...).");
        }

        services.AddOptions<OrchestrationOptions>().BindConfiguration("Flows:Orchestration").ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestrationOptions>, OrchestrationOptionsValidation>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<RunningDeployments>();
        services.TryAddSingleton<OrchestrationScheduler>();
        services.TryAddSingleton(ClusterSignals.Create);
        services.TryAddSingleton<IDeployments, DeploymentControl>();
        services.TryAddSingleton<IFlowClient, FlowClient>();
        services.TryAddSingleton<IClusterNodes, ClusterNodes>();
        services.TryAddSingleton(sp => new RunControl(sp.GetRequiredService<FlowEngine>(), sp.GetRequiredService<IFlowClient>()));
        // Registered after AddFlows' engine service, so it starts after the engine and stops before it flushes.
        services.AddHostedService<OrchestrationService>();
        services.AddOptions<HostOptions>().PostConfigure<IOptions<OrchestrationOptions>>((host, orchestration) =>
        {
            // Checked options only (a grace out of range fails start-up with its key named, not an overflow here).
            var grace = orchestration.Value.ShutdownGrace;
            var needed = grace < TimeSpan.FromDays(1) ? grace + TimeSpan.FromSeconds(15) : grace;
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }
}

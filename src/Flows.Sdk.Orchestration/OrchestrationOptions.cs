namespace Flows.Orchestration;

/// <summary>
/// Options of orchestration (<see cref="Microsoft.Extensions.DependencyInjection.OrchestrationServiceCollectionExtensions.AddOrchestration"/>),
/// bound from the configuration section <c>Flows:Orchestration</c>; deployments are declared in code with <see cref="Deploy"/>.
/// </summary>
public sealed class OrchestrationOptions
{
    private readonly List<DeploymentBuilder> _deployments = [];

    /// <summary>
    /// On host stop, how long runs in progress may take to finish before they are cancelled (they end <c>Cancelled</c>).
    /// Default 30 seconds. Configuration: <c>Flows:Orchestration:ShutdownGrace</c>. The host's own shutdown timeout
    /// (<c>HostOptions.ShutdownTimeout</c>) is raised to at least this plus 15 seconds, so the grace is not cut short.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A scheduled run that starts more than this after its slot is recorded <c>Late</c>. Default one minute; a
    /// deployment may set its own (<see cref="DeploymentBuilder.LateAfter"/>). Configuration: <c>Flows:Orchestration:LateAfter</c>.
    /// </summary>
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How late a slot may fire before it counts as missed and its deployment's <see cref="CatchUp"/> policy decides
    /// (Quartz's misfire threshold). Default one minute: a restart or a busy moment shorter than that still runs the slot.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The Quartz job store. Configuration: <c>Flows:Orchestration:JobStore</c>.</summary>
    public JobStoreOptions JobStore { get; } = new();

    /// <summary>
    /// The application these deployments belong to. Reconcile creates, changes and deletes only this application's
    /// deployments, so two applications sharing a job store (one <c>FLOWS_HOME</c>, one PostgreSQL database) keep each
    /// other's. Default: the host's application name (<c>IHostEnvironment.ApplicationName</c>, which is the entry
    /// assembly's name unless the host says otherwise), else the entry assembly's name. Give it explicitly when an
    /// application's assembly is renamed, or two deployable units share one. Configuration:
    /// <c>Flows:Orchestration:Application</c>.
    /// </summary>
    public string? Application { get; set; }

    /// <summary>
    /// The Quartz scheduler's name: the processes sharing a job store and this name schedule together (one cluster,
    /// which must run one application's code); another name in the same database is another, independent set of
    /// deployments. Default: <see cref="Application"/>, so each application is its own cluster.
    /// Configuration: <c>Flows:Orchestration:SchedulerName</c>.
    /// </summary>
    public string? SchedulerName { get; set; }

    /// <summary>
    /// Whether this process fires slots. Default true. A process with false serves <see cref="IDeployments"/> (for a
    /// command line or a dashboard) but neither runs anything on schedule nor reconciles: it does not write the
    /// deployments its own code declares over what the running application stored.
    /// Configuration: <c>Flows:Orchestration:Schedules</c>.
    /// </summary>
    public bool Schedules { get; set; } = true;

    /// <summary>How many scheduled runs this process runs at once (Quartz's thread pool). Default 10.</summary>
    public int MaxConcurrentRuns { get; set; } = 10;

    /// <summary>
    /// Whether every loaded flow with <c>[Flow(Schedule = ...)]</c> is a deployment named after the flow, run with no
    /// parameters. Default true.
    /// </summary>
    public bool DeployFlowSchedules { get; set; } = true;

    /// <summary>The deployments declared with <see cref="Deploy"/>, in order.</summary>
    internal IReadOnlyList<DeploymentBuilder> Deployments => _deployments;

    /// <summary>
    /// Declares a deployment: <paramref name="flow"/> run on the schedules, with the parameters and policies
    /// <paramref name="configure"/> gives, under <paramref name="name"/>. Checked when the host starts.
    /// </summary>
    /// <example><code>o.Deploy("voter-sync-ohio", "voter-sync", d => d.Cron("0 6 * * 1-5", "America/New_York").Parameters(new { states = new[] { "OH" } }));</code></example>
    public OrchestrationOptions Deploy(string name, string flow, Action<DeploymentBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(flow);
        var builder = new DeploymentBuilder(name, flow);
        configure?.Invoke(builder);
        _deployments.Add(builder);
        return this;
    }
}

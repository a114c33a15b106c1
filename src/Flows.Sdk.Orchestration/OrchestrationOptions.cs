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
    /// Whether this process owns the deployments: on start it reconciles the deployments its code declares with the
    /// job store (creates, updates, deletes). Default true. A process with false writes none of its declarations over
    /// what the running application stored (a worker of another build, a command line, a dashboard); with
    /// <see cref="Works"/> false as well it is a client only: it starts nothing and serves <see cref="IDeployments"/>
    /// and <see cref="IFlowClient"/>. Configuration: <c>Flows:Orchestration:Schedules</c>.
    /// </summary>
    public bool Schedules { get; set; } = true;

    /// <summary>
    /// Whether this process runs flows: it takes part in the Quartz cluster and runs the slots of deployments and the
    /// queued runs (<see cref="IFlowClient.EnqueueAsync"/>) of the queues it serves (<see cref="Queues"/>). Default
    /// true. A process with false runs nothing (a scheduler-only replica that keeps the deployments reconciled, or a
    /// client). Configuration: <c>Flows:Orchestration:Works</c>.
    /// </summary>
    public bool Works { get; set; } = true;

    /// <summary>
    /// The queues this process serves when it <see cref="Works"/>: it runs the slots and queued runs of these queues
    /// only. Empty (the default): every queue. A queue is named by <see cref="DeploymentBuilder.Queue"/> and by
    /// <see cref="IFlowClient.EnqueueAsync"/>; <see cref="DefaultQueue"/> is the queue of everything that names none.
    /// Configuration: <c>Flows:Orchestration:Queues:0</c>, <c>:1</c>, ... (or <c>Flows__Orchestration__Queues__0</c> in the environment).
    /// </summary>
    public IList<string> Queues { get; } = [];

    /// <summary>
    /// The queues this process never serves when it <see cref="Works"/>: it runs every other queue. Empty (the default):
    /// none refused. Give <see cref="Queues"/> or this, not both. Configuration: <c>Flows:Orchestration:RefusedQueues:0</c>, ...
    /// </summary>
    public IList<string> RefusedQueues { get; } = [];

    /// <summary>
    /// The most runs of a queue at once across every replica sharing the job store (Quartz's cluster-scoped execution
    /// limits; with SQLite, across this process). A queue not listed has no cap of its own. Configuration:
    /// <c>Flows:Orchestration:QueueLimits:heavy = 2</c>.
    /// </summary>
    public IDictionary<string, int> QueueLimits { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>How many runs (slots and queued runs) this process runs at once (Quartz's thread pool). Default 10.</summary>
    public int MaxConcurrentRuns { get; set; } = 10;

    /// <summary>The queue of deployments and queued runs that name none: <c>default</c>.</summary>
    public const string DefaultQueue = "default";

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

using System.Text.Json;
using Flows.Orchestration.Deployments;

namespace Flows.Orchestration;

/// <summary>
/// Describes one deployment: a flow with its schedules, parameters and policies, declared in code with
/// <see cref="OrchestrationOptions.Deploy"/>. Everything is checked when the host starts; a deployment that is not valid
/// stops the host with a <see cref="DeploymentException"/> naming it, the field and what was expected.
/// </summary>
public sealed class DeploymentBuilder
{
    /// <summary>The most missed slots <see cref="Orchestration.CatchUp.All"/> runs when no limit is given.</summary>
    public const int DefaultCatchUpLimit = 100;

    private readonly List<ScheduleSpec> _schedules = [];
    private readonly List<string> _tags = [];

    internal DeploymentBuilder(string name, string flow)
    {
        Name = name;
        Flow = flow;
    }

    /// <summary>The deployment's name: unique in the application, the key of its job in the job store and of its runs.</summary>
    public string Name { get; }

    /// <summary>The flow it runs, by its name.</summary>
    public string Flow { get; }

    internal IReadOnlyList<ScheduleSpec> Schedules => _schedules;

    internal IReadOnlyDictionary<string, JsonElement>? ParameterValues { get; private set; }

    internal string? ParametersError { get; private set; }

    internal CatchUp CatchUpPolicy { get; private set; } = Orchestration.CatchUp.Latest;

    internal int CatchUpLimit { get; private set; } = DefaultCatchUpLimit;

    internal DeploymentOverlap OverlapPolicy { get; private set; }

    internal TimeSpan? LateAfterThreshold { get; private set; }

    internal string? DescriptionText { get; private set; }

    internal IReadOnlyList<string> TagList => _tags;

    internal string? QueueName { get; private set; }

    /// <summary>Where it was declared, for errors: <c>Deploy(...)</c> or the flow's <c>[Flow(Schedule = ...)]</c>.</summary>
    internal string Origin { get; init; } = "Deploy";

    /// <summary>
    /// Adds a crontab schedule: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, with
    /// crontab's meaning (a day matches day-of-month OR day-of-week when both are restricted), in
    /// <paramref name="timeZone"/> (an IANA or Windows id; UTC when null). Call it again for another schedule; a slot two
    /// schedules share runs once.
    /// </summary>
    public DeploymentBuilder Cron(string expression, string? timeZone = null)
    {
        _schedules.Add(new ScheduleSpec(expression, timeZone, null, null));
        return this;
    }

    /// <summary>
    /// Adds a fixed-interval schedule: a slot every <paramref name="every"/> (whole seconds, at least one), on the grid
    /// through <paramref name="anchor"/> (default the Unix epoch, so every 15 minutes means :00, :15, :30 and :45 UTC).
    /// </summary>
    public DeploymentBuilder Interval(TimeSpan every, DateTimeOffset? anchor = null)
    {
        _schedules.Add(new ScheduleSpec(null, null, every, anchor));
        return this;
    }

    /// <summary>
    /// The parameters every run gets: an anonymous object (<c>new { states = new[] { "OH" } }</c>), a dictionary, or a
    /// <see cref="JsonElement"/> object, serialised to JSON and checked against the flow's parameters at start-up. Names
    /// are the flow method's parameter names. Never give secrets here: <c>[Secret]</c> parameters are resolved by the engine.
    /// </summary>
    public DeploymentBuilder Parameters(object parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ParameterValues = Deployments.JsonParameters.From(parameters, out var error);
        ParametersError = error;
        return this;
    }

    /// <summary>
    /// What happens to slots missed while nothing fired them: <see cref="Orchestration.CatchUp.Latest"/> by default.
    /// <paramref name="limit"/> bounds <see cref="Orchestration.CatchUp.All"/>: at most that many of the newest missed slots run.
    /// </summary>
    public DeploymentBuilder CatchUp(CatchUp policy, int limit = DefaultCatchUpLimit)
    {
        CatchUpPolicy = policy;
        CatchUpLimit = limit;
        return this;
    }

    /// <summary>What a slot does while the run of an earlier slot is still going: <see cref="DeploymentOverlap.Allow"/> by default.</summary>
    public DeploymentBuilder Overlap(DeploymentOverlap policy)
    {
        OverlapPolicy = policy;
        return this;
    }

    /// <summary>
    /// A run that starts more than <paramref name="threshold"/> after its slot is recorded <c>Late</c> (and logged) before
    /// it runs. Default <see cref="OrchestrationOptions.LateAfter"/>.
    /// </summary>
    public DeploymentBuilder LateAfter(TimeSpan threshold)
    {
        LateAfterThreshold = threshold;
        return this;
    }

    /// <summary>A human description, shown by <see cref="IDeployments.ListAsync"/>.</summary>
    public DeploymentBuilder Description(string description)
    {
        DescriptionText = description;
        return this;
    }

    /// <summary>
    /// The queue the deployment's runs go to (default <see cref="OrchestrationOptions.DefaultQueue"/>): only replicas
    /// serving it (<see cref="OrchestrationOptions.Queues"/>) run its slots and its runs started with
    /// <see cref="IFlowClient.RunDeploymentAsync"/>, and the queue's cap (<see cref="OrchestrationOptions.QueueLimits"/>)
    /// counts them. A name of letters, digits and <c>- _ . :</c>, at most 100 characters.
    /// </summary>
    public DeploymentBuilder Queue(string name)
    {
        QueueName = name;
        return this;
    }

    /// <summary>Tags recorded on every run of this deployment, beside the flow's own.</summary>
    public DeploymentBuilder Tags(params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        _tags.AddRange(tags);
        return this;
    }
}

using System.Text.Json;

namespace Flows.Orchestration;

/// <summary>A deployment as the job store holds it (<see cref="IDeployments.ListAsync"/>).</summary>
public sealed record DeploymentInfo
{
    /// <summary>How many slots <see cref="UpcomingFireTimes"/> lists at most.</summary>
    public const int UpcomingCount = 5;

    /// <summary>The deployment's name.</summary>
    public required string Name { get; init; }

    /// <summary>The flow it runs.</summary>
    public required string Flow { get; init; }

    /// <summary>Its schedules, as written: <c>cron '0 6 * * *' in America/New_York</c>, <c>every 00:15:00</c>.</summary>
    public required IReadOnlyList<string> Schedules { get; init; }

    /// <summary>Its schedules as defined (crontab and zone, or interval and anchor), in the order <see cref="Schedules"/> lists them.</summary>
    public IReadOnlyList<DeploymentSchedule> ScheduleDefinitions { get; init; } = [];

    /// <summary>The next slot any of its schedules will fire, or null when none will (paused, or no slot left).</summary>
    public DateTimeOffset? NextFireTime { get; init; }

    /// <summary>
    /// Its next <see cref="UpcomingCount"/> slots (fewer when its schedules end), earliest first, from its triggers in the
    /// job store, all schedules merged and a slot two schedules share listed once; empty while it is paused.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> UpcomingFireTimes { get; init; } = [];

    /// <summary>True when it is paused.</summary>
    public bool Paused { get; init; }

    /// <summary>Why it was paused, when the pause said.</summary>
    public string? PauseReason { get; init; }

    /// <summary>Who paused it, when the pause said.</summary>
    public string? PausedBy { get; init; }

    /// <summary>When it was paused, when the store recorded it.</summary>
    public DateTimeOffset? PausedAt { get; init; }

    /// <summary>The parameters its runs are given, by name, as stored (never secrets: a deployment cannot carry one).</summary>
    public IReadOnlyDictionary<string, JsonElement> Parameters { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The tags its runs carry besides the flow's own.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The queue its runs go to (<see cref="OrchestrationOptions.DefaultQueue"/> when it names none).</summary>
    public string Queue { get; init; } = OrchestrationOptions.DefaultQueue;

    /// <summary>Its catch-up policy.</summary>
    public CatchUp CatchUp { get; init; }

    /// <summary>Its overlap policy.</summary>
    public DeploymentOverlap Overlap { get; init; }

    /// <summary>Its description, if any.</summary>
    public string? Description { get; init; }

    /// <summary>The code version (the entry assembly's informational version) of the process that last wrote it.</summary>
    public string? CodeVersion { get; init; }

    /// <summary>A hash of its definition (flow, schedules, zones, parameters, policies); it changes when the definition does.</summary>
    public required string DefinitionHash { get; init; }
}

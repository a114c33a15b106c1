namespace Flows;

/// <summary>
/// How a run by name starts (<see cref="FlowEngine.RunAsync(string, IReadOnlyDictionary{string, System.Text.Json.JsonElement}, RunStart, CancellationToken)"/>,
/// <see cref="FlowEngine.TryScheduleRunAsync"/>): as which run, for which deployment and slot, with which tags. A
/// scheduler gives each slot's run an id derived from the deployment and the slot, so a duplicate fire finds the run
/// already there instead of starting a second one.
/// </summary>
public sealed record RunStart
{
    /// <summary>
    /// The run's id; null gives a new one. When the store holds a run with this id in state
    /// <see cref="Runs.RunState.Scheduled"/> or <see cref="Runs.RunState.Late"/>, that run is continued (its id, creation
    /// time, deployment, slot and earlier transitions kept); in any other state it is not run again.
    /// </summary>
    public Guid? RunId { get; init; }

    /// <summary>The deployment that starts the run, recorded as <see cref="Runs.RunRecord.Deployment"/>.</summary>
    public string? Deployment { get; init; }

    /// <summary>The slot the run is for, recorded as <see cref="Runs.RunRecord.ScheduledFor"/>.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>
    /// With <see cref="ScheduledFor"/>: a run that starts later than <see cref="ScheduledFor"/> plus this is recorded
    /// <see cref="Runs.RunState.Late"/>, with a message saying by how much, before it goes on to Pending. Null: never late.
    /// </summary>
    public TimeSpan? LateAfter { get; init; }

    /// <summary>Tags recorded on the run after the flow's own.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
}

using System.Text.Json;
using Flows.Runs;

namespace Flows.Orchestration.Testing;

/// <summary>
/// A run a deployment's schedule started (or, when the harness does not run flows, would have started): which
/// deployment and flow, for which slot, with which parameters.
/// </summary>
/// <param name="Deployment">The deployment's name.</param>
/// <param name="Flow">The flow it runs.</param>
/// <param name="Slot">The slot, in UTC: the time the schedule names, which is also the scheduled run's <see cref="RunRecord.ScheduledFor"/>.</param>
/// <param name="LocalSlot">The slot in the schedule's time zone (UTC for intervals and crons without one).</param>
/// <param name="TimeZone">The schedule's time zone id.</param>
/// <param name="Parameters">The parameters the run gets, as JSON values by name.</param>
/// <param name="Run">The recorded run when the harness runs flows (<see cref="ScheduleHarnessOptions.RunFlows"/>), else null.</param>
public sealed record ScheduledSlot(
    string Deployment,
    string Flow,
    DateTimeOffset Slot,
    DateTimeOffset LocalSlot,
    string TimeZone,
    IReadOnlyDictionary<string, JsonElement> Parameters,
    RunRecord? Run)
{
    /// <summary>One line for test output: <c>deployment (flow) at local-slot zone [UTC slot] {parameters}</c>.</summary>
    public override string ToString() =>
        $"{Deployment} ({Flow}) at {LocalSlot:yyyy-MM-dd HH:mm:ss zzz} {TimeZone} [{Slot.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z] {JsonSerializer.Serialize(Parameters)}";
}

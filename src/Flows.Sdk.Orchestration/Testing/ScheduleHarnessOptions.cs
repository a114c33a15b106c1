using Flows.Testing;

namespace Flows.Orchestration.Testing;

/// <summary>How a <see cref="ScheduleHarness"/> runs an application's deployments.</summary>
public sealed class ScheduleHarnessOptions
{
    /// <summary>Where the fake clock starts. Defaults to 2030-01-01T00:00Z, as <see cref="FlowTestHarnessOptions.StartTime"/>.</summary>
    public DateTimeOffset StartTime { get; set; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Whether each slot really runs its flow on the harness's in-memory engine (through the same job production uses:
    /// the slot's run id, <see cref="Runs.RunState.Scheduled"/> then Pending, Running...). Defaults to false: slots are
    /// listed without running anything, which is what a test of the schedule itself wants, and is faster.
    /// </summary>
    public bool RunFlows { get; set; }

    /// <summary>
    /// Whether flows declared with <c>[Flow(Schedule = ...)]</c> are deployments too, as they are in the application
    /// (<see cref="OrchestrationOptions.DeployFlowSchedules"/>). Defaults to true.
    /// </summary>
    public bool DeployFlowSchedules { get; set; } = true;

    /// <summary>Settings of the underlying <see cref="FlowTestHarness"/> (secrets, limits, configuration), applied after <see cref="StartTime"/>.</summary>
    public Action<FlowTestHarnessOptions>? Flows { get; set; }
}

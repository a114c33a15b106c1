using Flows.Runs;

namespace Flows.Stores;

/// <summary>One run with everything recorded about it, as <see cref="RunStoreExtensions.GetRunDetailsAsync"/> reads it.</summary>
/// <param name="Run">The run.</param>
/// <param name="TaskRuns">For a flow run, its task runs, oldest first (those of subflows belong to the subflow).</param>
/// <param name="Subflows">For a flow run, the flow runs it started, oldest first.</param>
/// <param name="Transitions">The run's state transitions in order.</param>
/// <param name="Logs">Its log lines and, for a flow run, those of its task runs, in order.</param>
/// <param name="Artifacts">Its artifacts and, for a flow run, those of its task runs, in order.</param>
public sealed record RunDetails(
    RunRecord Run,
    IReadOnlyList<RunRecord> TaskRuns,
    IReadOnlyList<RunRecord> Subflows,
    IReadOnlyList<StateTransition> Transitions,
    IReadOnlyList<RunLogEntry> Logs,
    IReadOnlyList<RunArtifact> Artifacts);

using Flows.Runs;

namespace Flows;

/// <summary>What happens to a flow run started while <see cref="FlowAttribute.MaxConcurrentRuns"/> runs of the same flow are in progress.</summary>
public enum OverlapPolicy
{
    /// <summary>The new run is recorded as <see cref="RunState.Pending"/> and waits, in order of arrival, for a run to end.</summary>
    Queue = 0,

    /// <summary>The new run does not happen: nothing is recorded and the call throws <see cref="FlowRunRejectedException"/>.</summary>
    Skip = 1,

    /// <summary>The new run is recorded and ends at once in <see cref="RunState.Cancelled"/>; the call throws <see cref="FlowRunRejectedException"/>.</summary>
    CancelNew = 2,
}

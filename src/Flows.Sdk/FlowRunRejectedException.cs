using Flows.Runs;

namespace Flows;

/// <summary>
/// A flow run was not started because <see cref="FlowAttribute.MaxConcurrentRuns"/> runs of the flow were already in
/// progress and its <see cref="FlowAttribute.Overlap"/> policy is <see cref="OverlapPolicy.Skip"/> (nothing was
/// recorded) or <see cref="OverlapPolicy.CancelNew"/> (the run was recorded as <see cref="RunState.Cancelled"/>).
/// It is an <see cref="OperationCanceledException"/>, so code that treats cancellation as "did not happen" keeps working.
/// </summary>
public sealed class FlowRunRejectedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public FlowRunRejectedException(string flowName, OverlapPolicy policy, int maxConcurrentRuns)
        : base($"Flow '{flowName}' was {(policy == OverlapPolicy.Skip ? "skipped" : "cancelled")}: {maxConcurrentRuns} run(s) of it were already in progress "
            + $"(MaxConcurrentRuns = {maxConcurrentRuns}, Overlap = {policy}). Use Overlap = OverlapPolicy.Queue to wait instead.")
    {
        FlowName = flowName;
        Policy = policy;
    }

    /// <summary>The flow's name.</summary>
    public string FlowName { get; }

    /// <summary>The policy that turned the run away: <see cref="OverlapPolicy.Skip"/> or <see cref="OverlapPolicy.CancelNew"/>.</summary>
    public OverlapPolicy Policy { get; }
}

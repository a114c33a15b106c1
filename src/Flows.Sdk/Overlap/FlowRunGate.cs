using Flows.CompilerServices;
using Flows.Limits;
using Flows.Runs;

namespace Flows.Overlap;

/// <summary>A flow's run slots and overlap policy, per engine; null for flows without <c>MaxConcurrentRuns</c>.</summary>
internal sealed class FlowRunGate
{
    private FlowRunGate(RunOptions options)
    {
        Options = options;
        Policy = options.Overlap;
        Slots = new LimitGate(LimitGate.Slots(options.MaxConcurrentRuns), $"a run slot of flow '{options.Name}' (MaxConcurrentRuns {options.MaxConcurrentRuns})");
    }

    public RunOptions Options { get; }

    public OverlapPolicy Policy { get; }

    public LimitGate Slots { get; }

    public static FlowRunGate? For(RunKind kind, RunOptions options) =>
        kind == RunKind.Flow && options.MaxConcurrentRuns > 0 ? new FlowRunGate(options) : null;

    public FlowRunRejectedException Rejected() => new(Options.Name, Policy, Options.MaxConcurrentRuns);
}

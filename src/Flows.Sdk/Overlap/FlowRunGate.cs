using Flows.CompilerServices;
using Flows.Limits;

namespace Flows.Overlap;

/// <summary>A flow's run slots and overlap policy, per engine; null for flows without <c>MaxConcurrentRuns</c>.</summary>
internal sealed class FlowRunGate
{
    /// <summary>Made by <see cref="LimitRegistry.RunGate"/>, which decides whether the slots are this process's or the store's.</summary>
    public FlowRunGate(RunOptions options, LimitGate slots)
    {
        Options = options;
        Policy = options.Overlap;
        Slots = slots;
    }

    public RunOptions Options { get; }

    public OverlapPolicy Policy { get; }

    public LimitGate Slots { get; }

    public FlowRunRejectedException Rejected() => new(Options.Name, Policy, Options.MaxConcurrentRuns);
}

using System.Threading.RateLimiting;
using Flows.Engine;
using Flows.Limits;

namespace Flows.Overlap;

/// <summary>
/// Admits a flow run under its flow's <c>MaxConcurrentRuns</c>, applying its <see cref="OverlapPolicy"/> when all
/// run slots are taken. The slot is held for the whole run, retries included: a retrying run is still in progress,
/// and another run overtaking it would break the limit's meaning. Runs without the option share one inert instance.
/// </summary>
internal sealed class FlowRunAdmission : IDisposable
{
    private static readonly FlowRunAdmission Open = new(null, null);

    private readonly FlowRunGate? _gate;
    private RateLimitLease? _lease;

    private FlowRunAdmission(FlowRunGate? gate, RateLimitLease? lease)
    {
        _gate = gate;
        _lease = lease;
    }

    /// <summary>
    /// Takes a free run slot, or notes that the run must wait for one. With <see cref="OverlapPolicy.Skip"/> and no free
    /// slot it throws before anything is recorded.
    /// </summary>
    public static FlowRunAdmission Begin(RunContext run)
    {
        if (run.Binding.RunGate is not { } gate)
        {
            return Open;
        }

        var lease = gate.Slots.Limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return new FlowRunAdmission(gate, lease);
        }

        return gate.Policy == OverlapPolicy.Skip ? throw gate.Rejected() : new FlowRunAdmission(gate, null);
    }

    /// <summary>
    /// Called once the run is recorded: waits for a slot (<see cref="OverlapPolicy.Queue"/>, recorded as Pending with
    /// the reason) or throws so the run ends Cancelled (<see cref="OverlapPolicy.CancelNew"/>).
    /// </summary>
    public ValueTask WaitAsync(RunContext run) => _gate is null || _lease is not null ? default : QueueAsync(_gate, run);

    /// <summary>As <see cref="WaitAsync"/> for synchronous flows: a wait blocks the run's thread.</summary>
    public void Wait(RunContext run)
    {
        if (_gate is not null && _lease is null)
        {
            _lease = Queueing(_gate).Wait(run, run.Token);
        }
    }

    public void Dispose() => _lease?.Dispose();

    private async ValueTask QueueAsync(FlowRunGate gate, RunContext run) =>
        _lease = await Queueing(gate).WaitAsync(run, run.Token).ConfigureAwait(false);

    /// <summary>The run slots to wait for, unless the policy cancels a run that would have to.</summary>
    private static LimitGate Queueing(FlowRunGate gate) => gate.Policy == OverlapPolicy.CancelNew ? throw gate.Rejected() : gate.Slots;
}

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

        if (gate.Slots.Shared is { } shared)
        {
            return BeginShared(gate, shared, run);
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

    /// <summary>
    /// Slots shared through the store are asked for before the run is recorded only under <see cref="OverlapPolicy.Skip"/>,
    /// whose answer decides whether it is recorded at all: that question blocks for a round trip to the database (and
    /// through an outage of it, bounded by the run's token). The other policies ask once the run is recorded.
    /// </summary>
    private static FlowRunAdmission BeginShared(FlowRunGate gate, SharedLimiter shared, RunContext run)
    {
        if (gate.Policy != OverlapPolicy.Skip)
        {
            return new FlowRunAdmission(gate, null);
        }

        var lease = SyncWait.For(shared.TryAcquireAsync(run, waitOutStoreOutage: true, run.Token));
        return lease.IsAcquired ? new FlowRunAdmission(gate, lease) : throw gate.Rejected();
    }

    /// <summary>As <see cref="WaitAsync"/> for synchronous flows: a wait blocks the run's thread.</summary>
    public void Wait(RunContext run)
    {
        if (_gate is not null && _lease is null)
        {
            if (_gate.Slots.Shared is not null)
            {
                SyncWait.For(QueueAsync(_gate, run));
                return;
            }

            _lease = Queueing(_gate).Wait(run, run.Token);
        }
    }

    public void Dispose() => _lease?.Dispose();

    private async ValueTask QueueAsync(FlowRunGate gate, RunContext run)
    {
        if (gate.Policy == OverlapPolicy.CancelNew && gate.Slots.Shared is { } shared)
        {
            var lease = await shared.TryAcquireAsync(run, waitOutStoreOutage: true, run.Token).ConfigureAwait(false);
            _lease = lease.IsAcquired ? lease : throw gate.Rejected();
            return;
        }

        _lease = await Queueing(gate).WaitAsync(run, run.Token).ConfigureAwait(false);
    }

    /// <summary>The run slots to wait for, unless the policy cancels a run that would have to.</summary>
    private static LimitGate Queueing(FlowRunGate gate) => gate.Policy == OverlapPolicy.CancelNew ? throw gate.Rejected() : gate.Slots;
}

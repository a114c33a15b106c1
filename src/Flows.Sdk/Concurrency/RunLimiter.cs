using System.Threading.RateLimiting;
using Flows.Runtime;

namespace Flows.Concurrency;

/// <summary>
/// The limits one task's attempts pass through, in a fixed order: the task's own <c>MaxConcurrency</c>, then its
/// tags' concurrency limits, then its tags' rate limits, tags in ordinal order. Every run takes shared limits in the
/// same order, so two runs can never each hold a slot the other waits for; rate permits come last so they are spent
/// when the attempt really starts. A task without limits has no <see cref="RunLimiter"/> and pays a null check.
/// </summary>
internal sealed class RunLimiter(LimitGate[] gates)
{
    public IReadOnlyList<LimitGate> Gates => gates;

    /// <summary>Takes every slot the run's next attempt needs, waiting (without polling) for those that are taken.</summary>
    public static ValueTask<RunSlots> AcquireAsync(RunContext run, CancellationToken cancellationToken) =>
        run.Binding.Limiter is { } limiter ? limiter.TakeAsync(run, cancellationToken) : default;

    /// <summary>As <see cref="AcquireAsync"/> for synchronous runs: a wait blocks the run's thread.</summary>
    public static RunSlots Acquire(RunContext run, CancellationToken cancellationToken)
    {
        if (run.Binding.Limiter is not { } limiter)
        {
            return default;
        }

        return SyncWait.For(limiter.TakeAsync(run, cancellationToken));
    }

    private ValueTask<RunSlots> TakeAsync(RunContext run, CancellationToken cancellationToken)
    {
        var leases = new RateLimitLease?[gates.Length];
        for (var i = 0; i < gates.Length; i++)
        {
            var lease = gates[i].Limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                return WaitAsync(run, leases, i, cancellationToken);
            }

            leases[i] = lease;
        }

        return new ValueTask<RunSlots>(new RunSlots(leases));
    }

    private async ValueTask<RunSlots> WaitAsync(RunContext run, RateLimitLease?[] leases, int first, CancellationToken cancellationToken)
    {
        var started = run.Engine.TimeProvider.GetTimestamp();
        try
        {
            for (var i = first; i < gates.Length; i++)
            {
                var lease = i == first ? null : gates[i].Limiter.AttemptAcquire();
                leases[i] = lease is { IsAcquired: true } ? lease : await gates[i].WaitAsync(run, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            new RunSlots(leases).Dispose();
            throw;
        }

        ConcurrencyLog.Admitted(run.Binding.Logger, run.Binding.Label, run.Engine.TimeProvider.GetElapsedTime(started).TotalSeconds);
        return new RunSlots(leases);
    }
}

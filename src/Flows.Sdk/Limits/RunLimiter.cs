using System.Threading.RateLimiting;
using Flows.Engine;

namespace Flows.Limits;

/// <summary>
/// The limits one task's attempts pass through, in a fixed order: the task's own <c>MaxConcurrency</c>, then its
/// tags' concurrency limits, then its tags' rate limits, tags in ordinal order. Every run takes shared limits in the
/// same order, so two runs can never each hold a slot the other waits for; rate permits come last so they are spent
/// when the attempt really starts. A slot an ancestor's attempt holds is shared rather than taken again (see
/// <see cref="SharedSlots"/>). A task without limits has no <see cref="RunLimiter"/> and pays a null check.
/// </summary>
internal sealed class RunLimiter(LimitGate[] gates)
{
    public IReadOnlyList<LimitGate> Gates => gates;

    /// <summary>Takes every slot the run's next attempt needs, waiting (without polling) for those that are taken.</summary>
    public static ValueTask<RunSlots> AcquireAsync(RunContext run, CancellationToken cancellationToken) =>
        run.Binding.Limiter is { } limiter ? limiter.TakeAsync(run, cancellationToken) : default;

    /// <summary>As <see cref="AcquireAsync"/> for synchronous runs: a wait blocks the run's thread.</summary>
    public static RunSlots Acquire(RunContext run, CancellationToken cancellationToken) =>
        run.Binding.Limiter is { } limiter ? limiter.Take(run, cancellationToken) : default;

    private RunSlots Take(RunContext run, CancellationToken cancellationToken)
    {
        var claim = new Claim(gates, run);
        try
        {
            while (!claim.TryTakeRest())
            {
                // A limit shared through the store is asked first: a run it admits at once has not waited.
                var lease = claim.Next.Shared is { } shared ? SyncWait.For(shared.TryAcquireAsync(run, waitOutStoreOutage: false, cancellationToken)) : null;
                claim.Taken(lease is { IsAcquired: true } ? lease : claim.StartWaiting().Wait(run, cancellationToken, askFirst: false));
            }
        }
        catch
        {
            claim.Abandon();
            throw;
        }

        return claim.Finish();
    }

    private ValueTask<RunSlots> TakeAsync(RunContext run, CancellationToken cancellationToken)
    {
        var claim = new Claim(gates, run);
        return claim.TryTakeRest() ? new ValueTask<RunSlots>(claim.Finish()) : WaitAsync(claim, cancellationToken);
    }

    private static async ValueTask<RunSlots> WaitAsync(Claim claim, CancellationToken cancellationToken)
    {
        try
        {
            do
            {
                var lease = claim.Next.Shared is { } shared ? await shared.TryAcquireAsync(claim.Run, waitOutStoreOutage: false, cancellationToken).ConfigureAwait(false) : null;
                if (lease is not { IsAcquired: true })
                {
                    lease = await claim.StartWaiting().WaitAsync(claim.Run, cancellationToken, askFirst: false).ConfigureAwait(false);
                }

                claim.Taken(lease);
            }
            while (!claim.TryTakeRest());
        }
        catch
        {
            claim.Abandon();
            throw;
        }

        return claim.Finish();
    }

    /// <summary>
    /// One attempt taking its limits: the gates from <c>_next</c> on are still to take; slots go into the
    /// attempt's own <see cref="SharedSlots"/>, made when it takes its first slot, so an attempt that shares every
    /// slot it needs allocates nothing.
    /// </summary>
    private struct Claim(LimitGate[] gates, RunContext run)
    {
        private readonly SharedSlots? _outer = SharedSlots.JoinEnclosing(run);
        private SharedSlots? _own;
        private long _waitStarted;
        private bool _waited;
        private int _next;

        public readonly RunContext Run => run;

        /// <summary>Takes every free slot and permit from the next gate on; false at the first one that must be waited for.</summary>
        public bool TryTakeRest()
        {
            for (; _next < gates.Length; _next++)
            {
                var gate = gates[_next];
                if (gate.IsSlot && _outer?.Covers(gate) == true)
                {
                    continue;
                }

                var lease = gate.Limiter.AttemptAcquire();
                if (!lease.IsAcquired)
                {
                    return false;
                }

                Keep(lease);
            }

            return true;
        }

        /// <summary>The gate to take next, once <see cref="TryTakeRest"/> stopped at it.</summary>
        public readonly LimitGate Next => gates[_next];

        /// <summary>The gate to wait for now.</summary>
        public LimitGate StartWaiting()
        {
            if (!_waited)
            {
                _waited = true;
                _waitStarted = run.Engine.TimeProvider.GetTimestamp();
            }

            return gates[_next];
        }

        /// <summary>The lease waited for arrived.</summary>
        public void Taken(RateLimitLease lease)
        {
            Keep(lease);
            _next++;
        }

        /// <summary>Every limit is taken: the attempt's slots become visible to the runs it starts.</summary>
        public readonly RunSlots Finish()
        {
            if (_waited)
            {
                ConcurrencyLog.Admitted(run.Binding.Logger, run.Binding.Label, run.Engine.TimeProvider.GetElapsedTime(_waitStarted).TotalSeconds);
            }

            var held = _own ?? _outer;
            if (held is not null)
            {
                run.HeldSlots = held;
            }

            return new RunSlots(run, held);
        }

        /// <summary>A wait failed (cancelled, or the engine shut down): gives back what was taken and shared.</summary>
        public readonly void Abandon() => (_own ?? _outer)?.Leave();

        private void Keep(RateLimitLease lease)
        {
            if (gates[_next].IsSlot)
            {
                (_own ??= new SharedSlots(gates, _outer)).Add(_next, lease);
            }
            else
            {
                // A rate permit is spent when taken; there is nothing to hold or give back.
                lease.Dispose();
            }
        }
    }
}

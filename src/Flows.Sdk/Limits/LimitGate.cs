using System.Threading.RateLimiting;
using Flows.Engine;
using Flows.Runs;

namespace Flows.Limits;

/// <summary>One limit a run may have to wait for: a concurrency limiter (its lease is a slot held for the attempt) or a rate limiter (its lease is spent).</summary>
internal sealed class LimitGate
{
    public LimitGate(RateLimiter limiter, string description)
    {
        Limiter = limiter;
        Description = description;
        WaitMessage = RunWaits.Message(description);
        IsSlot = limiter is ConcurrencyLimiter or SharedSlotLimiter;
        Shared = limiter as SharedLimiter;
    }

    public RateLimiter Limiter { get; }

    /// <summary>"a slot of tag 'van-api' (4 at a time)".</summary>
    public string Description { get; }

    /// <summary>The message of the Pending transition a waiting run records.</summary>
    public string WaitMessage { get; }

    /// <summary>
    /// True for a concurrency limit, whose slot is held and can be shared with the runs an attempt starts; false for a
    /// rate limit, whose permit is spent when taken, so every call spends its own.
    /// </summary>
    public bool IsSlot { get; }

    /// <summary>The limiter when it is counted by the run store across processes (asking it is a round trip), else null.</summary>
    public SharedLimiter? Shared { get; }

    /// <summary>A concurrency limiter that waits in order of arrival and queues without bound.</summary>
    public static ConcurrencyLimiter Slots(int permits) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// Waits for one lease, recording the wait on the run first. A limit shared through the store is asked once
    /// before that unless the caller did already (<paramref name="askFirst"/> false): it cannot be taken without a
    /// round trip, so a run it admits at once records no wait.
    /// </summary>
    public async ValueTask<RateLimitLease> WaitAsync(RunContext run, CancellationToken cancellationToken, bool askFirst = true)
    {
        if (askFirst && Shared is { } shared && await shared.TryAcquireAsync(run, waitOutStoreOutage: false, cancellationToken).ConfigureAwait(false) is { IsAcquired: true } admitted)
        {
            return admitted;
        }

        return Granted(run, await Queue(run, cancellationToken).ConfigureAwait(false), cancellationToken);
    }

    /// <summary>
    /// As <see cref="WaitAsync"/>, blocking the thread on the limiter's own task. Whoever gives a lease back completes
    /// that task and so wakes this thread itself; an async method in between would instead need a pool thread to run
    /// its continuation before this one wakes, and on a pool whose threads all block here that hand-over starves.
    /// </summary>
    public RateLimitLease Wait(RunContext run, CancellationToken cancellationToken, bool askFirst = true) =>
        Shared is null ? Granted(run, SyncWait.For(Queue(run, cancellationToken)), cancellationToken) : SyncWait.For(WaitAsync(run, cancellationToken, askFirst));

    private ValueTask<RateLimitLease> Queue(RunContext run, CancellationToken cancellationToken)
    {
        run.Engine.Lifecycle.Waiting(run, WaitMessage);
        ConcurrencyLog.Waiting(run.Binding.Logger, run.Binding.Label, Description);
        return Shared is { } shared ? shared.WaitAsync(run, cancellationToken) : Limiter.AcquireAsync(1, cancellationToken);
    }

    private RateLimitLease Granted(RunContext run, RateLimitLease lease, CancellationToken cancellationToken)
    {
        if (!lease.IsAcquired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"{run.Binding.Label} could not get {Description}: the limit was shut down with its engine.");
        }

        return lease;
    }
}

using System.Threading.RateLimiting;

namespace Flows.Concurrency;

/// <summary>One limit a run may have to wait for: a concurrency limiter (its lease is a slot held for the attempt) or a rate limiter (its lease is spent).</summary>
internal sealed class LimitGate
{
    public LimitGate(RateLimiter limiter, string description)
    {
        Limiter = limiter;
        Description = description;
        WaitMessage = RunWaits.Message(description);
    }

    public RateLimiter Limiter { get; }

    /// <summary>"a slot of tag 'van-api' (4 at a time)".</summary>
    public string Description { get; }

    /// <summary>The message of the Pending transition a waiting run records.</summary>
    public string WaitMessage { get; }

    /// <summary>A concurrency limiter that waits in order of arrival and queues without bound.</summary>
    public static ConcurrencyLimiter Slots(int permits) => new(new ConcurrencyLimiterOptions
    {
        PermitLimit = permits,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>Waits for one lease, recording the wait on the run first.</summary>
    public async ValueTask<RateLimitLease> WaitAsync(RunContext run, CancellationToken cancellationToken)
    {
        run.Engine.RecordWaiting(run, WaitMessage);
        ConcurrencyLog.Waiting(run.Binding.Logger, run.Binding.Label, Description);
        var lease = await Limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"{run.Binding.Label} could not get {Description}: the limit was shut down with its engine.");
        }

        return lease;
    }
}

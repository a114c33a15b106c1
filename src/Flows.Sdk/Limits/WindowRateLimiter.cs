using System.Threading.RateLimiting;

namespace Flows.Limits;

/// <summary>
/// A fixed-window rate limiter whose windows are measured on the engine's <see cref="TimeProvider"/>: every
/// interval the permits refill and the oldest waiters are admitted, in order. Waiters are woken by that one timer,
/// never by polling.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting's own <see cref="FixedWindowRateLimiter"/> refills on a wall-clock timer, and even
/// with <c>AutoReplenishment = false</c> its <c>TryReplenish</c> refuses to refill before a window of
/// <c>Stopwatch</c> time has passed, so a fake clock cannot drive it. This class keeps its abstraction (callers and
/// tests see a <see cref="RateLimiter"/>) and moves the clock.
/// </remarks>
internal sealed class WindowRateLimiter : RateLimiter
{
    private static readonly RateLimitLease Acquired = new Lease(true);
    private static readonly RateLimitLease NotAcquired = new Lease(false);

    private readonly Queue<Waiter> _queue = new();
    private readonly ITimer _timer;
    private readonly int _permitLimit;
    private int _available;
    private int _queued;
    private long _successful;
    private bool _disposed;

    public WindowRateLimiter(RateLimit limit, TimeProvider timeProvider)
    {
        _permitLimit = limit.Permits;
        _available = limit.Permits;
        ReplenishmentPeriod = limit.Interval;
        _timer = timeProvider.CreateTimer(static s => ((WindowRateLimiter)s!).Replenish(), this, limit.Interval, limit.Interval);
    }

    public TimeSpan ReplenishmentPeriod { get; }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => null;

    private object Lock => _queue;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics()
    {
        lock (Lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _available,
                CurrentQueuedCount = _queued,
                TotalSuccessfulLeases = _successful,
            };
        }
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckCount(permitCount);
        lock (Lock)
        {
            return TryTake(permitCount) ? Acquired : NotAcquired;
        }
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckCount(permitCount);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RateLimitLease>(cancellationToken);
        }

        Waiter waiter;
        lock (Lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TryTake(permitCount))
            {
                return new ValueTask<RateLimitLease>(Acquired);
            }

            waiter = new Waiter(this, permitCount, cancellationToken);
            _queue.Enqueue(waiter);
            _queued += permitCount;

            // Inside the lock, so the waiter cannot be admitted before it has its registration to dispose. A token
            // cancelled since the check above runs the callback inline; the lock is re-entrant.
            waiter.Registration = cancellationToken.UnsafeRegister(static s => ((Waiter)s!).Cancel(), waiter);
        }

        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _timer.Dispose();
        List<Waiter> woken;
        lock (Lock)
        {
            _disposed = true;
            woken = [.. _queue];
            _queue.Clear();
            _queued = 0;
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult(NotAcquired);
            waiter.Registration.Dispose();
        }
    }

    /// <summary>Fairness: nobody overtakes a waiter, so a free permit is taken only when the queue is empty.</summary>
    private bool TryTake(int permitCount)
    {
        if (_disposed || _queued > 0 || _available < permitCount)
        {
            return false;
        }

        _available -= permitCount;
        _successful++;
        return true;
    }

    private void Replenish()
    {
        List<Waiter>? admitted = null;
        lock (Lock)
        {
            if (_disposed)
            {
                return;
            }

            _available = _permitLimit;
            while (_queue.TryPeek(out var next))
            {
                if (next.Task.IsCompleted)
                {
                    _queue.Dequeue();
                    continue;
                }

                if (next.Count > _available || !next.TrySetResult(Acquired))
                {
                    // Not enough left in this window; or it was cancelled just now and its callback fixes the count.
                    if (next.Task.IsCompleted)
                    {
                        _queue.Dequeue();
                        continue;
                    }

                    break;
                }

                _queue.Dequeue();
                _available -= next.Count;
                _queued -= next.Count;
                _successful++;
                (admitted ??= []).Add(next);
            }
        }

        // Disposing a registration waits for a running callback, which takes the lock: never inside it.
        if (admitted is not null)
        {
            foreach (var waiter in admitted)
            {
                waiter.Registration.Dispose();
            }
        }
    }

    private void CheckCount(int permitCount) => ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _permitLimit);

    private sealed class Waiter(WindowRateLimiter owner, int count, CancellationToken token)
        : TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Count { get; } = count;

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel()
        {
            // Cancelled and counted out in one step: a caller that saw the waiter cancelled but still queued would
            // wait behind it for the next window although a permit is free. Continuations run asynchronously, so
            // completing the task inside the lock runs no caller code there.
            lock (owner.Lock)
            {
                if (TrySetCanceled(token) && !owner._disposed)
                {
                    owner._queued -= Count;
                }
            }
        }
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

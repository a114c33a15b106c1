using System.Threading.RateLimiting;
using Flows.Engine;
using Flows.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flows.Limits;

/// <summary>
/// A limit counted by the run store across every process on it (<see cref="ISharedLimits"/>). Asking costs a round
/// trip to the database, so <see cref="RateLimiter.AttemptAcquire"/> never admits: the engine asks with
/// <see cref="TryAcquireAsync"/> (one question, no wait for a holder) before it records a wait, then waits with
/// <see cref="WaitAsync"/>. Within a process waiters queue in order of arrival and only the head of the queue asks the
/// store; a database that cannot be reached is waited for (on a growing pause up to <see cref="MaxOutagePause"/>) for
/// as long as the waiting run's token allows, never failing the run at once.
/// </summary>
internal abstract class SharedLimiter : RateLimiter
{
    /// <summary>The longest pause between attempts while the store cannot be reached.</summary>
    public static readonly TimeSpan MaxOutagePause = TimeSpan.FromSeconds(5);

    protected static readonly RateLimitLease NotAcquired = new Lease(false);

    /// <summary>A permit spent, or admitted with nothing to give back.</summary>
    protected static readonly RateLimitLease Acquired = new Lease(true);

    /// <summary>Only the head of this process's queue asks the store: one permit, handed on in order of arrival.</summary>
    private readonly ConcurrencyLimiter _turn = LimitGate.Slots(1);
    private int _waiting;

    protected SharedLimiter(ISharedLimits store, string key, TimeProvider timeProvider, string description)
    {
        Store = store;
        Key = key;
        TimeProvider = timeProvider;
        Description = description;
    }

    protected ISharedLimits Store { get; }

    /// <summary>The limit's name in the store, the same in every process ("tag:van-api").</summary>
    public string Key { get; }

    protected TimeProvider TimeProvider { get; }

    /// <summary>"a slot of tag 'van-api' (4 at a time)", for log lines.</summary>
    protected string Description { get; }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => null;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => null;

    /// <summary>
    /// Asks the store once, unless runs of this process already wait (nobody overtakes them): a lease when the limit
    /// admitted the caller at once, else a lease that is not acquired. With <paramref name="waitOutStoreOutage"/> a
    /// store that cannot be reached is waited for before answering; without, it answers not acquired, and the caller's
    /// <see cref="WaitAsync"/> does the waiting (with the run recorded as waiting).
    /// </summary>
    public async ValueTask<RateLimitLease> TryAcquireAsync(RunContext? run, bool waitOutStoreOutage, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _waiting) > 0)
        {
            return NotAcquired;
        }

        if (waitOutStoreOutage)
        {
            return await new Attempts(this, run).Run(cancellationToken, once: true).ConfigureAwait(false);
        }

        try
        {
            return await TryOnceAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
        {
            return NotAcquired;
        }
    }

    /// <summary>Waits in this process's queue, then asks the store until the limit admits the caller.</summary>
    public async ValueTask<RateLimitLease> WaitAsync(RunContext? run, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            var local = await EnterAsync(cancellationToken).ConfigureAwait(false);
            if (!local.IsAcquired)
            {
                return NotAcquired;
            }

            try
            {
                using var turn = await _turn.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
                if (!turn.IsAcquired)
                {
                    local.Dispose();
                    return NotAcquired;
                }

                return await new Attempts(this, run) { Local = local }.Run(cancellationToken, once: false).ConfigureAwait(false);
            }
            catch
            {
                local.Dispose();
                throw;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Can never tell without asking the database: the engine asks with <see cref="TryAcquireAsync"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => NotAcquired;

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        WaitAsync(null, cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _turn.Dispose();
        }
    }

    /// <summary>This process's share in front of the store (a local limiter of the same size), taken in order of arrival.</summary>
    protected abstract ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken);

    /// <summary>The share in front of the store if it is free now, else a lease not acquired.</summary>
    protected abstract RateLimitLease TryEnter();

    /// <summary>Asks the store once. Null: not admitted, try again after <see cref="PauseAsync"/>.</summary>
    protected abstract Task<RateLimitLease?> AskAsync(RateLimitLease local, RunContext? run, CancellationToken cancellationToken);

    /// <summary>Waits until asking again may succeed (a slot given back, a window turned), never longer than a bounded poll.</summary>
    protected abstract Task PauseAsync(CancellationToken cancellationToken);

    protected bool IsTransient(Exception error) => Store is IRunStore store && store.IsTransient(error);

    private async ValueTask<RateLimitLease> TryOnceAsync(RunContext? run, CancellationToken cancellationToken)
    {
        var local = TryEnter();
        if (!local.IsAcquired)
        {
            return NotAcquired;
        }

        try
        {
            return await AskAsync(local, run, cancellationToken).ConfigureAwait(false) ?? Give(local);
        }
        catch
        {
            local.Dispose();
            throw;
        }

        static RateLimitLease Give(RateLimitLease local)
        {
            local.Dispose();
            return NotAcquired;
        }
    }

    /// <summary>Asking the store until it admits (or once, for an answer), waiting out an outage on a growing pause.</summary>
    private sealed class Attempts(SharedLimiter limiter, RunContext? run)
    {
        private TimeSpan _pause;
        private long _outageStarted;

        public RateLimitLease? Local { get; init; }

        public async ValueTask<RateLimitLease> Run(CancellationToken cancellationToken, bool once)
        {
            var logger = run?.Binding.Logger ?? NullLogger.Instance;
            var label = run?.Binding.Label ?? "A run";
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RateLimitLease? lease;
                try
                {
                    lease = once
                        ? await limiter.TryOnceAsync(run, cancellationToken).ConfigureAwait(false)
                        : await limiter.AskAsync(Local!, run, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && limiter.IsTransient(ex))
                {
                    if (_pause == TimeSpan.Zero)
                    {
                        _outageStarted = limiter.TimeProvider.GetTimestamp();
                        SharedLimitLog.StoreUnreachable(logger, label, limiter.Description, ex.Message);
                    }

                    _pause = _pause == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, MaxOutagePause.Ticks));
                    await Task.Delay(_pause, limiter.TimeProvider, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException and not ObjectDisposedException)
                {
                    throw new RunStoreException($"{label} could not take {limiter.Description}, shared through the run store: {ex.Message}", ex);
                }

                if (_pause != TimeSpan.Zero)
                {
                    SharedLimitLog.StoreBack(logger, label, limiter.Description, limiter.TimeProvider.GetElapsedTime(_outageStarted).TotalSeconds);
                    _pause = TimeSpan.Zero;
                }

                if (lease is not null || once)
                {
                    return lease ?? NotAcquired;
                }

                await limiter.PauseAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A lease without metadata.</summary>
    protected class Lease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}

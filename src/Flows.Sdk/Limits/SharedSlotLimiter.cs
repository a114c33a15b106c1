using System.Threading.RateLimiting;
using Flows.Engine;
using Flows.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flows.Limits;

/// <summary>
/// Concurrency slots shared by every process on the store: a lease is a slot held in the store for this store's owner.
/// A local limiter of the same size stands in front, so this process never asks for more slots than the limit has. A
/// waiter tries again when the store hears a slot was given back (PostgreSQL <c>NOTIFY</c>), and at the latest after
/// <see cref="PollInterval"/>, which also finds the slots of a process found gone.
/// </summary>
internal sealed class SharedSlotLimiter : SharedLimiter
{
    /// <summary>The bounded poll behind the store's wake-up: one question per waiting limit per process this often.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrencyLimiter _local;
    private readonly int _permits;
    private readonly CancellationToken _shutdown;

    public SharedSlotLimiter(ISharedLimits store, string key, int permits, TimeProvider timeProvider, string description, CancellationToken shutdown)
        : base(store, key, timeProvider, description)
    {
        _permits = permits;
        _local = LimitGate.Slots(permits);
        _shutdown = shutdown;
    }

    /// <inheritdoc />
    protected override ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => _local.AcquireAsync(1, cancellationToken);

    /// <inheritdoc />
    protected override RateLimitLease TryEnter() => _local.AttemptAcquire();

    /// <inheritdoc />
    protected override async Task<RateLimitLease?> AskAsync(RateLimitLease local, RunContext? run, CancellationToken cancellationToken)
    {
        var slot = await Store.TryTakeSlotAsync(Key, _permits, cancellationToken).ConfigureAwait(false);
        return slot is null ? null : new SlotLease(this, local, slot, run?.Engine.Logging.Runtime ?? NullLogger.Instance);
    }

    /// <inheritdoc />
    protected override async Task PauseAsync(CancellationToken cancellationToken)
    {
        var released = Store.NextReleaseAsync(Key);
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(PollInterval, TimeProvider, poll.Token);
        await Task.WhenAny(released, delay).ConfigureAwait(false);
        await poll.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _local.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Gives a slot back to the store, trying again while the store cannot be reached (the slot stays held there
    /// meanwhile, so this process's local share is kept too), until the engine shuts down: then the store's owner goes
    /// and the slot with it.
    /// </summary>
    private async Task ReleaseAsync(RateLimitLease local, IAsyncDisposable slot, ILogger logger)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        try
        {
            while (true)
            {
                try
                {
                    await slot.DisposeAsync().ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (IsTransient(ex) && !_shutdown.IsCancellationRequested)
                {
                    SharedLimitLog.ReleaseRetried(logger, Description, ex.Message);
                    await Task.Delay(pause, TimeProvider, _shutdown).ConfigureAwait(false);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxOutagePause.Ticks));
                }
            }
        }
        catch (Exception ex)
        {
            // Shut down, or refused for good: the slot comes back when the store's owner is found gone.
            SharedLimitLog.ReleaseAbandoned(logger, Description, ex.Message);
        }
        finally
        {
            local.Dispose();
        }
    }

    private sealed class SlotLease(SharedSlotLimiter owner, RateLimitLease local, IAsyncDisposable slot, ILogger logger) : Lease(true)
    {
        private int _released;

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _released, 1) == 0)
            {
                // The run goes on at once; the slot is given back in the background (a round trip to the database).
                _ = owner.ReleaseAsync(local, slot, logger);
            }
        }
    }
}

using System.Threading.RateLimiting;
using Flows.Engine;
using Flows.Stores;

namespace Flows.Limits;

/// <summary>
/// A fixed-window rate limit counted by the store across every process: each window allows <see cref="RateLimit.Permits"/>
/// attempt starts in all processes together. Windows start at whole multiples of the interval on the store's clock, so
/// every process agrees when one turns; a waiter sleeps until then (on the engine's clock) and asks again. Within a
/// process waiters go in order of arrival; across processes, whoever asks first after the turn is admitted first.
/// </summary>
internal sealed class SharedWindowLimiter(ISharedLimits store, string key, RateLimit limit, TimeProvider timeProvider, string description)
    : SharedLimiter(store, key, timeProvider, description)
{
    private TimeSpan _untilNextWindow;

    /// <summary>Nothing to hold in front of the store: a permit is spent, not held.</summary>
    protected override ValueTask<RateLimitLease> EnterAsync(CancellationToken cancellationToken) => new(Acquired);

    /// <inheritdoc />
    protected override RateLimitLease TryEnter() => Acquired;

    /// <inheritdoc />
    protected override async Task<RateLimitLease?> AskAsync(RateLimitLease local, RunContext? run, CancellationToken cancellationToken)
    {
        if (await Store.TrySpendAsync(Key, limit, cancellationToken).ConfigureAwait(false) is not { } wait)
        {
            return Acquired;
        }

        // Asked by the head of the queue only, so this field has one writer at a time.
        _untilNextWindow = wait;
        return null;
    }

    /// <inheritdoc />
    protected override Task PauseAsync(CancellationToken cancellationToken) =>
        Task.Delay(_untilNextWindow > TimeSpan.Zero ? _untilNextWindow : TimeSpan.FromMilliseconds(1), TimeProvider, cancellationToken);
}

namespace Flows.Stores;

/// <summary>
/// A capability of a run store: limits shared by every process that uses the same store (every replica of an
/// application on one PostgreSQL database), so a tag limit of 3 means 3 at once across all of them rather than 3 in
/// each. An engine whose store implements it takes its tag limits (<c>Flows:Limits:&lt;tag&gt;</c>), rate limits
/// (<c>Flows:RateLimits:&lt;tag&gt;</c>) and flows' <c>MaxConcurrentRuns</c> through it, unless
/// <see cref="FlowEngineOptions.LimitScope"/> says <see cref="LimitScope.Process"/>. The engine keeps a process-local
/// limiter of the same size in front of each shared one, queues its own waiters in order of arrival, and asks the
/// store only with the head of that queue; the store's part is the atomic steps below.
/// </summary>
/// <remarks>
/// A slot is held for the store's owner (<see cref="Sql.SqlRunStore.OwnerId"/>): when that owner is found gone (its
/// heartbeat lapsed and a peer removed it), its slots no longer count and come back. Every method may throw what the
/// store throws when its database cannot be reached; the engine retries those the store deems transient
/// (<see cref="IRunStore.IsTransient"/>) for as long as the waiting run's cancellation allows.
/// </remarks>
public interface ISharedLimits
{
    /// <summary>
    /// Takes one of the <paramref name="permits"/> slots of <paramref name="key"/> for this store's owner if one is
    /// free across every process, without waiting. Disposing the result gives the slot back and wakes waiters in
    /// every process (its dispose may throw when the database cannot be reached; the caller tries again).
    /// </summary>
    /// <param name="key">The limit's name, the same in every process ("tag:van-api"); compared as given.</param>
    /// <param name="permits">How many slots the limit has, at least 1.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The slot, or null when all <paramref name="permits"/> are held by live owners.</returns>
    Task<IAsyncDisposable?> TryTakeSlotAsync(string key, int permits, CancellationToken cancellationToken = default);

    /// <summary>
    /// Spends one permit of the current fixed window of <paramref name="key"/>, counted across every process. Windows
    /// are <see cref="RateLimit.Interval"/> long and start at whole multiples of it on the store's clock, so every
    /// process agrees when one turns.
    /// </summary>
    /// <param name="key">The limit's name, the same in every process.</param>
    /// <param name="limit">How many permits a window has, and its length.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>Null when a permit was spent; otherwise how long until the next window begins.</returns>
    Task<TimeSpan?> TrySpendAsync(string key, RateLimit limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// A task that completes the next time this store hears that some process gave back a slot of
    /// <paramref name="key"/>, so a waiter can try again at once. It may complete without a slot being free, and it
    /// may never complete (while the store cannot listen): waiters also try again on a bounded poll.
    /// </summary>
    /// <param name="key">The limit's name, as given to <see cref="TryTakeSlotAsync"/>.</param>
    Task NextReleaseAsync(string key);
}

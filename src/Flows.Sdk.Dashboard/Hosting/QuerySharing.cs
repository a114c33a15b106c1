using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Flows.Dashboard.Hosting;

/// <summary>
/// Store answers shared for <see cref="DashboardOptions.QuerySharing"/> by every page asking the same question (the
/// same key), and one query in flight per key: twenty open pages polling the same list cost the store one query a
/// second, not twenty.
/// </summary>
internal sealed class QuerySharing(IOptions<DashboardOptions> options, TimeProvider? time = null)
{
    private const int MaxEntries = 2000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _lifetime = options.Value.QuerySharing;

    /// <summary>The answer to <paramref name="key"/>: a shared one if it is fresh, else <paramref name="load"/>'s.</summary>
    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        if (_lifetime <= TimeSpan.Zero)
        {
            return await load(cancellationToken).ConfigureAwait(false);
        }

        var now = _time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && !entry.IsStale(_time, now, _lifetime))
        {
            return (T)(await entry.Answer.WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }

        // One load per key at a time: the load starts only for the entry that won its place, so pages racing on a stale
        // key share one query. It is not cancelled by the page that started it, which others may be waiting on.
        var answer = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fresh = new Entry(now, answer.Task);
        var stored = _entries.AddOrUpdate(key, fresh, (_, old) => old.IsStale(_time, now, _lifetime) ? fresh : old);
        if (ReferenceEquals(stored, fresh))
        {
            _ = LoadAsync(load, answer);
        }

        if (_entries.Count > MaxEntries)
        {
            Sweep(now);
        }

        try
        {
            return (T)(await stored.Answer.WaitAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            // A failed load is not shared: the next page asks again.
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, stored));
            throw;
        }
    }

    private static async Task LoadAsync<T>(Func<CancellationToken, Task<T>> load, TaskCompletionSource<object?> answer)
    {
        try
        {
            answer.TrySetResult(await load(CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            answer.TrySetException(ex);
        }
    }

    private void Sweep(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.IsStale(_time, now, _lifetime))
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed record Entry(long LoadedAt, Task<object?> Answer)
    {
        public bool IsStale(TimeProvider time, long now, TimeSpan lifetime) =>
            Answer.IsCompleted && time.GetElapsedTime(LoadedAt, now) >= lifetime;
    }
}

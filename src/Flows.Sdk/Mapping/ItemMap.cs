using System.Runtime.ExceptionServices;

namespace Flows.Mapping;

/// <summary>
/// One <see cref="Flow.Map{TItem, TResult}(IEnumerable{TItem}, Func{TItem, Task{TResult}}, int, CancellationToken)"/>:
/// a fixed number of workers take the next index until the items run out or the map stops. Nothing is allocated per
/// item beyond what the body allocates, so a map over 100,000 items holds 16 calls in flight, not 100,000 tasks.
/// </summary>
internal sealed class ItemMap<TItem, TResult>
{
    private readonly IReadOnlyList<TItem> _items;
    private readonly TResult[] _results;
    private readonly Func<TItem, CancellationToken, ValueTask<TResult>> _body;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _callerToken;
    private int _next = -1;
    private ExceptionDispatchInfo? _failure;

    private ItemMap(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, ValueTask<TResult>> body, CancellationToken cancellationToken)
    {
        _items = items;
        _results = new TResult[items.Count];
        _body = body;
        _callerToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public static Task<TResult[]> RunAsync(IEnumerable<TItem> items, Func<TItem, CancellationToken, ValueTask<TResult>> body, int maxConcurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var list = items as IReadOnlyList<TItem> ?? [.. items];
        return new ItemMap<TItem, TResult>(list, body, cancellationToken).RunAsync(maxConcurrency);
    }

    private async Task<TResult[]> RunAsync(int maxConcurrency)
    {
        using (_stop)
        {
            var workers = new Task[Math.Min(maxConcurrency, _items.Count)];
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = WorkAsync();
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
        }

        _failure?.Throw();
        _callerToken.ThrowIfCancellationRequested();
        return _results;
    }

    /// <summary>Never throws: the first failure is kept for <see cref="RunAsync(int)"/> and stops the other workers.</summary>
    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var index = Interlocked.Increment(ref _next);
            if (index >= _items.Count)
            {
                return;
            }

            try
            {
                _results[index] = await _body(_items[index], _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Cancellations the stop itself caused are consequences, not the failure to report.
                if (!_stop.IsCancellationRequested && Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null) is null)
                {
                    await _stop.CancelAsync().ConfigureAwait(false);
                }

                return;
            }
        }
    }
}

using System.Collections.Concurrent;

namespace Flows.Orchestration.Running;

/// <summary>
/// The scheduled runs in progress in this process: what shutdown waits for and then cancels, and what a deployment's
/// overlap policy looks at across its several triggers.
/// </summary>
internal sealed class RunningDeployments
{
    private readonly ConcurrentDictionary<long, Lease> _runs = new();
    private long _next;

    private readonly Dictionary<string, DateTimeOffset> _lastDropped = new(StringComparer.Ordinal);
    private readonly Lock _dropLock = new();

    public int Count => _runs.Count;

    /// <summary>
    /// Notes that catch-up dropped a slot of <paramref name="deployment"/> at <paramref name="now"/>; true when no drop was
    /// noted within <paramref name="burst"/> before, so one warning covers a catch-up's burst of drops (its firings run
    /// side by side, in no fixed order).
    /// </summary>
    public bool StartsDropBurst(string deployment, DateTimeOffset now, TimeSpan burst)
    {
        // Under a lock: a catch-up's firings run side by side, and two of them must not both start the burst.
        lock (_dropLock)
        {
            var starts = !_lastDropped.TryGetValue(deployment, out var last) || now - last > burst;
            _lastDropped[deployment] = now;
            return starts;
        }
    }

    /// <summary>Registers a run; its token is cancelled by the job's token, <see cref="CancelAll"/> or <see cref="Cancel"/>. Dispose when it ends.</summary>
    public Lease Begin(string deployment, DateTimeOffset slot, CancellationToken jobToken)
    {
        var lease = new Lease(this, Interlocked.Increment(ref _next), deployment, slot, jobToken);
        _runs[lease.Id] = lease;
        return lease;
    }

    public bool IsRunning(string deployment) => _runs.Values.Any(r => string.Equals(r.Deployment, deployment, StringComparison.Ordinal));

    /// <summary>Cancels the deployment's runs in progress; returns how many.</summary>
    public int Cancel(string deployment)
    {
        var runs = _runs.Values.Where(r => string.Equals(r.Deployment, deployment, StringComparison.Ordinal)).ToList();
        runs.ForEach(r => r.Cancel());
        return runs.Count;
    }

    public void CancelAll()
    {
        foreach (var run in _runs.Values)
        {
            run.Cancel();
        }
    }

    /// <summary>Completes when every run in progress now has ended.</summary>
    public Task WhenAllEnded() => Task.WhenAll(_runs.Values.Select(r => r.Ended));

    internal sealed class Lease : IDisposable
    {
        private readonly RunningDeployments _owner;
        private readonly CancellationTokenSource _cancel;
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Lease(RunningDeployments owner, long id, string deployment, DateTimeOffset slot, CancellationToken jobToken)
        {
            _owner = owner;
            Id = id;
            Deployment = deployment;
            Slot = slot;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(jobToken);
            Token = _cancel.Token;
        }

        public long Id { get; }

        public string Deployment { get; }

        public DateTimeOffset Slot { get; }

        public CancellationToken Token { get; }

        public Task Ended => _ended.Task;

        public void Cancel()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Ended meanwhile: nothing left to cancel.
            }
        }

        public void Dispose()
        {
            _owner._runs.TryRemove(Id, out _);
            _ended.TrySetResult();
            _cancel.Dispose();
        }
    }
}

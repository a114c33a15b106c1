using System.Collections.Concurrent;

namespace Flows.Orchestration.Running;

/// <summary>
/// The runs orchestration started in this process (slots, backfills, queued runs): what shutdown waits for and then
/// cancels, what a cancel request reaches by run id, and what a deployment's overlap policy looks at across its several triggers.
/// </summary>
internal sealed class RunningDeployments
{
    private readonly ConcurrentDictionary<long, Lease> _runs = new();
    private readonly Lock _stopLock = new();
    private long _next;
    private bool _stopping;

    public int Count => _runs.Count;

    /// <summary>
    /// Registers a run; its token is cancelled by the job's token, <see cref="CancelAll"/>, <see cref="CancelRun"/> or
    /// <see cref="CancelOtherSlots"/>. Dispose when it ends. <paramref name="backfill"/>: a run that is not a schedule's
    /// own slot (a backfill, a queued run), which the overlap policy leaves alone. Null once <see cref="StopAccepting"/>
    /// has been called: the run must not start.
    /// </summary>
    public Lease? TryBegin(Guid runId, string? deployment, DateTimeOffset? slot, bool backfill, CancellationToken jobToken)
    {
        // Under the lock StopAccepting takes: a run either is registered before the stop (and so waited for and
        // cancelled by it) or is refused; none slips in between.
        lock (_stopLock)
        {
            if (_stopping)
            {
                return null;
            }

            var lease = new Lease(this, Interlocked.Increment(ref _next), runId, deployment, slot, backfill, jobToken);
            _runs[lease.Id] = lease;
            return lease;
        }
    }

    /// <summary>Refuses every run from now on (<see cref="TryBegin"/> returns null): shutdown has begun, and what it waits for and cancels is what is registered now.</summary>
    public void StopAccepting()
    {
        lock (_stopLock)
        {
            _stopping = true;
        }
    }

    /// <summary>Whether a schedule run of the deployment for a slot other than <paramref name="slot"/> is in progress (another firing of the same slot is a duplicate, not an overlap).</summary>
    public bool IsRunningOtherSlot(string deployment, DateTimeOffset slot) => OtherSlots(deployment, slot).Any();

    /// <summary>Cancels the deployment's schedule runs in progress for slots other than <paramref name="slot"/>; returns how many.</summary>
    public int CancelOtherSlots(string deployment, DateTimeOffset slot)
    {
        var runs = OtherSlots(deployment, slot).ToList();
        runs.ForEach(r => r.Cancel());
        return runs.Count;
    }

    private IEnumerable<Lease> OtherSlots(string deployment, DateTimeOffset slot) =>
        _runs.Values.Where(r => !r.Backfill && r.Slot != slot && string.Equals(r.Deployment, deployment, StringComparison.Ordinal));

    /// <summary>Cancels the run with this id if this process runs it; true when it did.</summary>
    public bool CancelRun(Guid runId)
    {
        var runs = _runs.Values.Where(r => r.RunId == runId).ToList();
        runs.ForEach(r => r.Cancel());
        return runs.Count > 0;
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

        public Lease(RunningDeployments owner, long id, Guid runId, string? deployment, DateTimeOffset? slot, bool backfill, CancellationToken jobToken)
        {
            _owner = owner;
            Id = id;
            RunId = runId;
            Deployment = deployment;
            Slot = slot;
            Backfill = backfill;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(jobToken);
            Token = _cancel.Token;
        }

        public long Id { get; }

        public Guid RunId { get; }

        public string? Deployment { get; }

        public DateTimeOffset? Slot { get; }

        public bool Backfill { get; }

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

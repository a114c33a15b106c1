using System.Collections.Concurrent;
using Flows.Logging;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Engine;

/// <summary>
/// Cancel requests for an engine's flow runs in progress, made by anyone with the store (another process's
/// <c>flows cancel</c>, see <see cref="IRunStore.RequestCancelAsync"/>). Each flow run gets a cancellation source of its
/// own, linked to its parent's and its caller's tokens; while any is in progress the engine asks the store for
/// requests about once a second (<see cref="PollInterval"/>) and cancels those asked for, with the reason kept for the
/// run's error. A store that notifies its engines (<see cref="ICancelRequestNotifier"/>: the in-memory store) has
/// them act at once instead, so nothing polls.
/// </summary>
internal sealed class CancelRequests : IDisposable
{
    /// <summary>How often the store is asked while flow runs are in progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, RunSource> _runs = new();
    private readonly IRunStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<string, string> _redact;
    private readonly ICancelRequestNotifier? _notifier;
    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private int _polling;
    private bool _failing;
    private bool _disposed;

    public CancelRequests(IRunStore store, TimeProvider timeProvider, ILogger logger, Func<string, string> redact)
    {
        _store = store;
        _timeProvider = timeProvider;
        _logger = logger;
        _redact = redact;
        if (store is ICancelRequestNotifier notifier)
        {
            _notifier = notifier;
            notifier.CancelRequested += OnRequested;
        }
    }

    /// <summary>A cancellation source for a flow run, cancelled with either token or on request; dispose it when the run ends.</summary>
    public CancellationTokenSource Create(CancellationToken parentToken, CancellationToken callerToken) => new RunSource(this, parentToken, callerToken);

    /// <summary>Watches for requests to cancel the flow run <paramref name="runId"/> until <paramref name="source"/> (from <see cref="Create"/>) is disposed.</summary>
    public void Watch(Guid runId, CancellationTokenSource source)
    {
        var run = (RunSource)source;
        run.RunId = runId;
        _runs[runId] = run;
        if (_notifier is null)
        {
            EnsurePolling();
        }
    }

    /// <summary>The reason a request gave for cancelling <paramref name="runId"/>, masked; null when no request cancelled it.</summary>
    public string? ReasonFor(Guid runId) => _runs.TryGetValue(runId, out var source) ? source.Reason : null;

    public void Dispose()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }

        if (_notifier is not null)
        {
            _notifier.CancelRequested -= OnRequested;
        }
    }

    private void EnsurePolling()
    {
        if (Volatile.Read(ref _timer) is not null)
        {
            return;
        }

        lock (_timerLock)
        {
            if (_timer is null && !_disposed)
            {
                _timer = _timeProvider.CreateTimer(static s => ((CancelRequests)s!).Tick(), this, PollInterval, PollInterval);
            }
        }
    }

    private void Tick()
    {
        if (_runs.IsEmpty || Interlocked.Exchange(ref _polling, 1) != 0)
        {
            return;
        }

        _ = PollAsync();
    }

    private async Task PollAsync()
    {
        try
        {
            var requests = await _store.GetCancelRequestsAsync([.. _runs.Keys]).ConfigureAwait(false);
            foreach (var request in requests)
            {
                OnRequested(request);
            }

            if (_failing)
            {
                _failing = false;
            }
        }
        catch (Exception ex) when (ex is RunStoreException || _store.IsTransient(ex) || ex is System.Data.Common.DbException)
        {
            if (!_failing)
            {
                _failing = true;
                RuntimeLog.CancelRequestsUnreadable(_logger, ex.Message);
            }
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    private void OnRequested(RunCancelRequest request)
    {
        if (_runs.TryGetValue(request.RunId, out var source) && source.Reason is null)
        {
            source.Reason = _redact(request.Reason);
            RuntimeLog.CancelRequested(_logger, request.RunId, source.Reason);
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended as the request came.
            }
        }
    }

    /// <summary>A flow run's own cancellation source: linked to its parent's and caller's tokens; leaves the watch when disposed.</summary>
    private sealed class RunSource : CancellationTokenSource
    {
        private readonly CancelRequests _owner;
        private readonly CancellationTokenRegistration _parent;
        private readonly CancellationTokenRegistration _caller;

        public RunSource(CancelRequests owner, CancellationToken parentToken, CancellationToken callerToken)
        {
            _owner = owner;
            _parent = parentToken.UnsafeRegister(static s => ((RunSource)s!).CancelQuietly(), this);
            _caller = callerToken.UnsafeRegister(static s => ((RunSource)s!).CancelQuietly(), this);
        }

        public Guid RunId { get; set; }

        public string? Reason { get; set; }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _parent.Dispose();
                _caller.Dispose();
                _owner._runs.TryRemove(KeyValuePair.Create(RunId, this));
            }

            base.Dispose(disposing);
        }

        private void CancelQuietly()
        {
            try
            {
                Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended as its parent or caller was cancelled.
            }
        }
    }
}

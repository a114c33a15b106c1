namespace Flows.Engine;

/// <summary>
/// The timeout of one attempt: a token that is cancelled when the attempt's time is up or when the run's own token
/// is. On the system clock the cancellation source is linked to the run's token and reused, as Polly's timeout
/// strategy reuses its own: a source whose time was not up is reset (<see cref="CancellationTokenSource.TryReset"/>)
/// and kept for the next attempt on the thread, still linked, so the next attempt under the same token (the next task
/// of the same flow run, or of the same engine outside runs) neither allocates a source nor registers on that token.
/// A token kept past the end of its attempt may then see a later attempt's timeout; a task must not use its token
/// after it returns. Other clocks (a test's fake time) get a new source per attempt.
/// </summary>
internal readonly struct AttemptTimeout : IDisposable
{
    /// <summary>The thread's spare source, reset and idle, linked to <see cref="t_spareLinkedTo"/>.</summary>
    [ThreadStatic]
    private static CancellationTokenSource? t_spare;

    [ThreadStatic]
    private static CancellationToken t_spareLinkedTo;

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _linkedTo;
    private readonly CancellationTokenRegistration _link;
    private readonly bool _reusable;

    private AttemptTimeout(CancellationTokenSource source, CancellationToken linkedTo, CancellationTokenRegistration link, bool reusable)
    {
        _source = source;
        _linkedTo = linkedTo;
        _link = link;
        _reusable = reusable;
    }

    /// <summary>The token the attempt gets.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True when the attempt's time is up (or the run's token fired).</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    public static AttemptTimeout Start(TimeSpan timeout, TimeProvider timeProvider, CancellationToken runToken)
    {
        if (!ReferenceEquals(timeProvider, TimeProvider.System))
        {
            var timed = new CancellationTokenSource(timeout, timeProvider);
            var link = runToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timed);
            return new AttemptTimeout(timed, runToken, link, reusable: false);
        }

        var source = t_spare;
        t_spare = null;
        if (source is null || t_spareLinkedTo != runToken || source.IsCancellationRequested)
        {
            // Another run token (or the spare's was cancelled): the spare's link is of no use; a new source links to this one.
            source?.Dispose();
            source = runToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(runToken) : new CancellationTokenSource();
        }

        source.CancelAfter(timeout);
        return new AttemptTimeout(source, runToken, default, reusable: true);
    }

    /// <summary>Unlinks the run's token or keeps the source, linked, for reuse if its time was not up and the thread has no spare.</summary>
    public void Dispose()
    {
        _link.Dispose();
        if (_reusable && t_spare is null && _source.TryReset())
        {
            t_spare = _source;
            t_spareLinkedTo = _linkedTo;
        }
        else
        {
            _source.Dispose();
        }
    }
}

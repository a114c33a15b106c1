namespace Flows.Engine;

/// <summary>
/// The timeout of one attempt: a token that is cancelled when the attempt's time is up or when the run's own token
/// is. On the system clock the cancellation source is reused, as Polly's timeout strategy reuses its own: a source
/// whose time was not up is reset (<see cref="CancellationTokenSource.TryReset"/>) and kept for the next attempt on
/// the thread, so a call with a timeout allocates nothing for it. A token kept past the end of its attempt may then
/// see a later attempt's timeout; a task must not use its token after it returns. Other clocks (a test's fake
/// time) get a new source per attempt.
/// </summary>
internal readonly struct AttemptTimeout : IDisposable
{
    [ThreadStatic]
    private static CancellationTokenSource? t_spare;

    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _link;
    private readonly bool _reusable;

    private AttemptTimeout(CancellationTokenSource source, CancellationTokenRegistration link, bool reusable)
    {
        _source = source;
        _link = link;
        _reusable = reusable;
    }

    /// <summary>The token the attempt gets.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True when the attempt's time is up (or the run's token fired).</summary>
    public bool IsCancellationRequested => _source.IsCancellationRequested;

    public static AttemptTimeout Start(TimeSpan timeout, TimeProvider timeProvider, CancellationToken runToken)
    {
        CancellationTokenSource source;
        var reusable = ReferenceEquals(timeProvider, TimeProvider.System);
        if (reusable)
        {
            source = t_spare ?? new CancellationTokenSource();
            t_spare = null;
            source.CancelAfter(timeout);
        }
        else
        {
            source = new CancellationTokenSource(timeout, timeProvider);
        }

        var link = runToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        return new AttemptTimeout(source, link, reusable);
    }

    /// <summary>Unlinks the run's token (waiting for a cancellation in progress), then keeps the source for reuse if its time was not up.</summary>
    public void Dispose()
    {
        _link.Dispose();
        if (_reusable && t_spare is null && _source.TryReset())
        {
            t_spare = _source;
        }
        else
        {
            _source.Dispose();
        }
    }
}

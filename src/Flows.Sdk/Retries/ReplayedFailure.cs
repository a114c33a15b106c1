using System.Runtime.ExceptionServices;

namespace Flows.Retries;

/// <summary>
/// The failure of a run's first attempt, which runs outside the retry pipeline: the pipeline is entered only once
/// an attempt has failed, and its first callback replays that failure instead of running the attempt again. The
/// pipeline so sees exactly the outcomes it would have seen running every attempt itself (its ShouldHandle, delays,
/// OnRetry and attempt count are unchanged), while first attempts that succeed, nearly all of them, never pay for it.
/// </summary>
internal sealed class ReplayedFailure(Exception error)
{
    private ExceptionDispatchInfo? _pending = ExceptionDispatchInfo.Capture(error);

    /// <summary>Throws the first attempt's failure the first time it is called; does nothing afterwards.</summary>
    public void ThrowOnce()
    {
        var pending = _pending;
        _pending = null;
        pending?.Throw();
    }
}

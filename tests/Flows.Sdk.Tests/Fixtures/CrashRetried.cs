namespace Flows.Tests.Fixtures;

/// <summary>Flows whose runs the tests record as crashed, to be retried under their id.</summary>
public static class CrashRetried
{
    [Flow("crash-retried", Retries = 2, RetryDelaySeconds = 30, Backoff = Backoff.Linear)]
    public static int Run(int n, bool fail = false, [Secret("crash-token")] string token = "")
    {
        if (fail)
        {
            throw new InvalidOperationException($"failed with {n}");
        }

        return n + token.Length;
    }

    private static int _waitsStarted;

    /// <summary>The first run in the process waits until it is cancelled; any later one completes at once.</summary>
    [Flow("crash-waits-once", Retries = 1)]
    public static async Task<int> WaitsOnce(int n, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _waitsStarted) == 1)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return n;
    }

    [Flow("crash-not-retried")]
    public static int Once(int n) => n;
}

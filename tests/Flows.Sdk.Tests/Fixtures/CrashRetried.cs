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

    [Flow("crash-not-retried")]
    public static int Once(int n) => n;
}

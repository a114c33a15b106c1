namespace Flows.Tests.Fixtures;

/// <summary>Tasks that fail a set number of times before they succeed, under every retry option.</summary>
public sealed class Flaky(int failuresBeforeSuccess = 2)
{
    public int Attempts { get; private set; }

    [Task("flaky-exponential", Retries = 3, RetryDelaySeconds = 10, Backoff = Backoff.Exponential)]
    public async Task<string> Exponential()
    {
        await Task.Yield();
        FailWhileNeeded();
        return "ok";
    }

    [Task("flaky-linear", Retries = 3, RetryDelaySeconds = 4, Backoff = Backoff.Linear)]
    public async Task Linear()
    {
        await Task.Yield();
        FailWhileNeeded();
    }

    [Task("flaky-constant", Retries = 3, RetryDelaySeconds = 7)]
    public int Constant()
    {
        FailWhileNeeded();
        return Attempts;
    }

    [Task("flaky-listed", Retries = 4, RetryDelaysSeconds = [1, 5, 30])]
    public int Listed()
    {
        FailWhileNeeded();
        return Attempts;
    }

    [Task("flaky-jitter", Retries = 1, RetryDelaySeconds = 10, RetryJitter = 0.5)]
    public void Jittered() => FailWhileNeeded();

    [Task("flaky-retry-on-io", Retries = 3, RetryOn = [typeof(IOException)])]
    public void RetriedOnlyOnIo(Exception toThrow)
    {
        Attempts++;
        throw toThrow;
    }

    [Task("flaky-no-retry-on-argument", Retries = 3, NoRetryOn = [typeof(ArgumentException)])]
    public void NotRetriedOnArgument(Exception toThrow)
    {
        Attempts++;
        throw toThrow;
    }

    [Task("flaky-always-fails", Retries = 2)]
    public void AlwaysFails()
    {
        Attempts++;
        throw new InvalidOperationException($"failure {Attempts}");
    }

    private void FailWhileNeeded()
    {
        Attempts++;
        if (Attempts <= failuresBeforeSuccess)
        {
            throw new IOException($"transient failure {Attempts}");
        }
    }
}

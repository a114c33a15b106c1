namespace Flows.Tests.Fixtures;

/// <summary>Tasks and flows that wait until their token says stop.</summary>
public sealed class Slow
{
    [Task("slow-timeout", TimeoutSeconds = 5)]
    public async Task<int> WaitPastTimeout(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 1;
    }

    [Task("slow-timeout-sync", TimeoutSeconds = 5)]
    public static int SpinPastTimeout(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }

    [Task("slow-until-cancelled")]
    public async Task WaitUntilCancelled(CancellationToken cancellationToken) =>
        await Task.Delay(Timeout.Infinite, cancellationToken);

    [Task("slow-no-token")]
    public async Task WaitOnRunToken() => await Task.Delay(Timeout.Infinite, Flow.CancellationToken);

    [Flow("slow-flow")]
    public async Task Run(CancellationToken cancellationToken)
    {
        await Task.Yield();
        await WaitOnRunToken();
    }
}

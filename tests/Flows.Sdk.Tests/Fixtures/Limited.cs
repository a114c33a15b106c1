namespace Flows.Tests.Fixtures;

/// <summary>Tasks under concurrency and rate limits that count how many of their runs are in flight.</summary>
public sealed class Limited
{
    private readonly InFlight _inFlight = new();

    /// <summary>The most attempts that were inside a body at the same time.</summary>
    public int MaxInFlight => _inFlight.Max;

    /// <summary>How many attempts entered a body.</summary>
    public int Started => _inFlight.Started;

    /// <summary>Completed by the test to let waiting bodies finish.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Task("limited-four", MaxConcurrency = 4)]
    public async Task<int> Four(int item)
    {
        Enter();
        await Task.Yield();
        Leave();
        return item;
    }

    [Task("limited-tagged", Tags = ["limited-db"])]
    public async Task<int> Tagged(int item)
    {
        Enter();
        await Task.Yield();
        Leave();
        return item;
    }

    [Task("limited-both", MaxConcurrency = 3, Tags = ["limited-db", "limited-api"])]
    public async Task Both()
    {
        Enter();
        await Task.Yield();
        Leave();
    }

    [Task("limited-throws", MaxConcurrency = 4, Tags = ["limited-db"])]
    public async Task Throws()
    {
        await Task.Yield();
        throw new InvalidOperationException("the database said no");
    }

    [Task("limited-times-out", MaxConcurrency = 4, Tags = ["limited-db"], TimeoutSeconds = 5)]
    public async Task TimesOut(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    [Task("limited-until-cancelled", MaxConcurrency = 4, Tags = ["limited-db"])]
    public async Task UntilCancelled(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    [Task("limited-sync", MaxConcurrency = 2)]
    public int Sync(int item)
    {
        Enter();
        // The subject, not a synchronisation: a body that holds its slot for a while, so that the other callers
        // really contend for the two slots while MaxInFlight is measured (TestRulesTests allows this line).
        Thread.Sleep(1);
        Leave();
        return item;
    }

    [Task("limited-gated", Tags = ["limited-db"])]
    public async Task<int> Gated(int item)
    {
        Enter();
        await Release.Task;
        Leave();
        return item;
    }

    [Task("limited-retried", MaxConcurrency = 1, Retries = 1, RetryDelaySeconds = 10)]
    public async Task Retried(bool fail)
    {
        Enter();
        await Task.Yield();
        Leave();
        if (fail && Attempts++ == 0)
        {
            throw new IOException("transient");
        }

        if (!fail)
        {
            await Release.Task;
        }
    }

    [Task("limited-rated", Tags = ["limited-api"])]
    public async Task Rated()
    {
        Enter();
        await Task.Yield();
    }

    public int Attempts { get; private set; }

    private void Enter() => _inFlight.Enter();

    private void Leave() => _inFlight.Leave();
}

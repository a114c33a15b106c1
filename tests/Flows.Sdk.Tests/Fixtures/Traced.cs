namespace Flows.Tests.Fixtures;

/// <summary>A flow with a task, a task that fails once, a subflow and a task that always fails, for spans and metrics.</summary>
public sealed class Traced
{
    private int _flakyAttempts;

    [Flow("traced-flow")]
    public async Task<int> Run(int x)
    {
        var doubled = await Double(x);
        var flaky = FailsOnce();
        Sub();
        return doubled + flaky;
    }

    [Task("traced-double")]
    public async Task<int> Double(int x)
    {
        await Task.Yield();
        return x * 2;
    }

    [Task("traced-fails-once", Retries = 1, RetryDelaySeconds = 3)]
    public int FailsOnce() => _flakyAttempts++ == 0 ? throw new IOException("the first attempt fails") : 1;

    [Flow("traced-subflow")]
    public void Sub()
    {
    }

    [Task("traced-fails")]
    public void Fails(string why) => throw new InvalidOperationException(why);
}

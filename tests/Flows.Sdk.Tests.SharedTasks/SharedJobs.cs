namespace Flows.Tests.SharedTasks;

/// <summary>Counts a task's attempts; each test passes its own, so parallel tests do not share state.</summary>
public sealed class AttemptCounter
{
    public int Count { get; set; }
}

/// <summary>Static tasks and a flow of a shared library: sync with retries, async, an extension method.</summary>
public static class SharedJobs
{
    /// <summary>Fails its first two attempts; its retries (declared here, not by callers) make it succeed.</summary>
    [Task("shared-flaky-sum", Retries = 2, RetryDelaySeconds = 5, Tags = ["shared"])]
    public static int FlakySum(int a, int b, AttemptCounter attempts)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        if (++attempts.Count < 3)
        {
            throw new InvalidOperationException($"attempt {attempts.Count} fails");
        }

        return a + b;
    }

    [Task("shared-fetch")]
    public static async Task<string> FetchAsync(string key, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        return key.ToUpperInvariant();
    }

    [Task("shared-tag")]
    public static string Tag(this string value, string tag) => $"{tag}:{value}";

    /// <summary>Fetches every state through <see cref="FetchAsync"/>, a call intercepted in this assembly.</summary>
    [Flow("shared-nightly")]
    public static async Task<int> Nightly(string[] states, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(states);
        var total = 0;
        foreach (var state in states)
        {
            total += (await FetchAsync(state, cancellationToken).ConfigureAwait(false)).Length;
        }

        return total;
    }
}

/// <summary>An instance task of a shared library.</summary>
public sealed class SharedWorker(int factor)
{
    public int Calls { get; private set; }

    [Task("shared-scale")]
    public int Scale(int x)
    {
        Calls++;
        return x * factor;
    }
}

namespace Flows.ClusterHelper;

/// <summary>The flows the cluster tests enqueue; each writes a <see cref="Replica.Line"/> as it runs.</summary>
internal static class ClusterFlows
{
    /// <summary>Returns at once with the name of the replica that ran it.</summary>
    [Flow("cluster-quick")]
    public static string Quick(int n = 0)
    {
        Replica.Line("RAN");
        return Replica.Name + " " + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs until its token is cancelled (a cancel request, the host stopping).</summary>
    [Flow("cluster-slow")]
    public static async Task<string> Slow(CancellationToken cancellationToken = default)
    {
        Replica.Line("STARTED");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Replica.Line("TOKEN-CANCELLED");
            throw;
        }

        return Replica.Name;
    }

    /// <summary>
    /// Runs a cached task and an uncached one, then, on its first attempt, hangs (the test kills the replica: the
    /// run crashes); a second attempt, after the crash, completes. One retry, so the crash is retried.
    /// </summary>
    [Flow("cluster-victim", Retries = 1)]
    public static async Task<string> Victim(CancellationToken cancellationToken = default)
    {
        Replica.Line("STARTED");
        var run = Flow.RunId.ToString()!;
        VictimCached(run);
        VictimUncached(run);
        if (Flow.Attempt <= 1)
        {
            // Both task runs in the store before the test kills this process.
            await FlowEngine.Current.FlushAsync().ConfigureAwait(false);
            Replica.Line("HANGING");
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        Replica.Line("RAN");
        return Replica.Name;
    }

    /// <summary>Cached for an hour, keyed by its input (the flow run id): a retry of the same run hits the cache.</summary>
    [Task("cluster-victim-cached", CacheExpirationSeconds = 3600)]
    public static string VictimCached(string run)
    {
        Replica.Line("RAN");
        return Replica.Name + " " + run;
    }

    /// <summary>Not cached: runs again in every attempt.</summary>
    [Task("cluster-victim-uncached")]
    public static string VictimUncached(string run)
    {
        Replica.Line("RAN");
        return Replica.Name + " " + run;
    }

    /// <summary>Holds one slot of the tag <c>cluster-slot</c> (limited by <c>Flows:Limits:cluster-slot</c>) for <paramref name="holdMs"/> ms; -1 holds it until cancelled.</summary>
    [Flow("cluster-limited")]
    public static async Task<string> Limited(int holdMs = 500, CancellationToken cancellationToken = default)
    {
        await Hold(holdMs, cancellationToken).ConfigureAwait(false);
        Replica.Line("RAN");
        return Replica.Name;
    }

    /// <summary>The task that holds the slot; writes HOLD once it has it and FREE as it gives it back.</summary>
    [Task("cluster-hold", Tags = ["cluster-slot"])]
    public static async Task Hold(int holdMs, CancellationToken cancellationToken = default)
    {
        Replica.Line("HOLD");
        try
        {
            // The subject: the slot is held for a while (or, with -1, until the replica dies), so that runs on the
            // other replicas contend for the limit.
            await Task.Delay(holdMs, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Replica.Line("FREE");
        }
    }
}

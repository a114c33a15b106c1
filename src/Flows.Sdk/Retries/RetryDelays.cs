using Flows.CompilerServices;

namespace Flows.Retries;

/// <summary>Computes the wait before each retry from a run's options.</summary>
internal static class RetryDelays
{
    /// <summary>The delay before retry number <paramref name="retry"/> (0 for the first retry).</summary>
    public static TimeSpan For(RunOptions options, int retry, Func<double> random)
    {
        var explicitDelays = options.RetryDelaysSeconds;
        var seconds = explicitDelays.Count > 0
            ? explicitDelays[Math.Min(retry, explicitDelays.Count - 1)]
            : options.Backoff switch
            {
                Backoff.Linear => options.RetryDelaySeconds * (retry + 1),
                Backoff.Exponential => options.RetryDelaySeconds * Math.Pow(2, retry),
                _ => options.RetryDelaySeconds,
            };

        if (options.RetryJitter > 0)
        {
            seconds += seconds * options.RetryJitter * ((2 * random()) - 1);
        }

        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }
}

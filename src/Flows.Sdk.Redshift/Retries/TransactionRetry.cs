using Flows.Redshift.Logging;
using Polly;
using Polly.Retry;

namespace Flows.Redshift.Retries;

/// <summary>Runs a whole transaction again when it fails transiently; one pipeline per database.</summary>
internal static class TransactionRetry
{
    /// <summary>The pipeline, or <see cref="ResiliencePipeline.Empty"/> when retries are off.</summary>
    public static ResiliencePipeline Create(RedshiftOptions options)
    {
        if (options.TransactionRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.TransactionRetries,
                Delay = options.TransactionRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = static args => new ValueTask<bool>(RedshiftTransientErrors.IsTransient(args.Outcome.Exception)),
                OnRetry = static args =>
                {
                    RedshiftLog.TransactionRetry(RedshiftLog.Current, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
    }
}

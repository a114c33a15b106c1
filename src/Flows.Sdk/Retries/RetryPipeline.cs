using Flows.Runtime;
using Polly;
using Polly.Retry;

namespace Flows.Retries;

/// <summary>Builds the one Polly pipeline a flow or task uses for its retries.</summary>
internal static class RetryPipeline
{
    /// <summary>The pipeline for the options, or null when the run has no retries and so needs no pipeline.</summary>
    public static ResiliencePipeline? Create(RunOptions options, TimeProvider timeProvider, Func<double> random)
    {
        if (options.Retries <= 0)
        {
            return null;
        }

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.Zero,
                UseJitter = false,
                ShouldHandle = args => new ValueTask<bool>(ShouldRetry(options, args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryDelays.For(options, args.AttemptNumber, random)),
                OnRetry = static args =>
                {
                    if (RunContext.Current is { } run)
                    {
                        run.Engine.RecordRetry(run, args.RetryDelay, args.Outcome.Exception);
                    }

                    return default;
                },
            })
            .Build();
    }

    /// <summary>Whether a failed attempt is retried: never for cancellation of the run itself, then RetryOn / NoRetryOn.</summary>
    public static bool ShouldRetry(RunOptions options, Exception? exception, CancellationToken runToken)
    {
        if (exception is null || (exception is OperationCanceledException && runToken.IsCancellationRequested))
        {
            return false;
        }

        if (options.NoRetryOn.Any(t => t.IsInstanceOfType(exception)))
        {
            return false;
        }

        return options.RetryOn.Count == 0 || options.RetryOn.Any(t => t.IsInstanceOfType(exception));
    }
}

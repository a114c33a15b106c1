using Flows.CompilerServices;
using Flows.Engine;
using Polly;
using Polly.Retry;

namespace Flows.Retries;

/// <summary>
/// Builds the one Polly pipeline a flow or task uses for its retries. The pipeline is shared by every run of the
/// flow or task: the run an execution retries travels in its <see cref="ResilienceContext"/> (<see cref="RunKey"/>,
/// set by <see cref="Execute{TState, TResult}"/>), so each retry is recorded on that run, whatever is ambient.
/// </summary>
internal static class RetryPipeline
{
    /// <summary>The run a pipeline execution retries.</summary>
    public static readonly ResiliencePropertyKey<RunContext> RunKey = new("Flows.Run");

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
                // A retried crash made attempts before this process took it up: they count towards its retries and their delays.
                ShouldHandle = args => new ValueTask<bool>(
                    args.AttemptNumber + AttemptsBefore(args.Context) < options.Retries && ShouldRetry(options, args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryDelays.For(options, args.AttemptNumber + AttemptsBefore(args.Context), random)),
                OnRetry = static args =>
                {
                    var run = args.Context.Properties.GetValue(RunKey, null!);
                    run.Engine.Lifecycle.Retry(run, args.RetryDelay, args.Outcome.Exception);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Runs <paramref name="callback"/> through the pipeline for <paramref name="run"/>, on a pooled context that carries the run.</summary>
    public static TResult Execute<TState, TResult>(ResiliencePipeline pipeline, RunContext run, Func<ResilienceContext, TState, TResult> callback, TState state)
    {
        var context = Rent(run);
        try
        {
            return pipeline.Execute(callback, context, state);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>As <see cref="Execute{TState, TResult}"/>, for asynchronous runs.</summary>
    public static async ValueTask<TResult> ExecuteAsync<TState, TResult>(
        ResiliencePipeline pipeline, RunContext run, Func<ResilienceContext, TState, ValueTask<TResult>> callback, TState state)
    {
        var context = Rent(run);
        try
        {
            return await pipeline.ExecuteAsync(callback, context, state).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
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

    private static int AttemptsBefore(ResilienceContext context) => context.Properties.GetValue(RunKey, null!)?.Origin?.AttemptsBefore ?? 0;

    private static ResilienceContext Rent(RunContext run)
    {
        var context = ResilienceContextPool.Shared.Get(run.Token);
        context.Properties.Set(RunKey, run);
        return context;
    }
}

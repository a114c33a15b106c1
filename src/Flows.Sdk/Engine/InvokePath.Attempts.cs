using Flows.CompilerServices;
using Flows.Limits;
using Flows.Retries;
using Flows.Runs;
using Polly;

namespace Flows.Engine;

/// <summary>
/// A run's attempts: the first on its own and a failure through the retry pipeline, each holding the run's slots and
/// armed with its timeout, recorded as Running when it starts.
/// </summary>
internal static partial class InvokePath
{
    /// <summary>
    /// Whether the run's first attempt starts at its creation instant, so that no second reading of the clock is
    /// needed: a task run (not a continued one) whose creation was recorded at once and that has nothing else that
    /// could wait before its attempt (a cache lookup, secrets to resolve, slots to take). Only the engine's own
    /// bookkeeping, well under a microsecond, separates the two.
    /// </summary>
    private static bool StartsAtCreation<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, bool createdAtOnce) =>
        createdAtOnce && descriptor.Kind == RunKind.Task && run.CacheKey is null && run.Binding.Limiter is null
        && descriptor.InjectSecrets is null && run.Origin is null;

    /// <summary>The first attempt runs on its own; only a failure enters the retry pipeline (see <see cref="ReplayedFailure"/>).</summary>
    private static TResult AttemptWithRetries<TArgs, TResult>(ResiliencePipeline pipeline, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, bool atCreation)
    {
        try
        {
            return Attempt(run, descriptor, args, run.Token, atCreation);
        }
        catch (Exception ex)
        {
            return ExecuteWithRetries(pipeline, run, descriptor, args, new ReplayedFailure(ex));
        }
    }

    private static ValueTask<TResult> AttemptWithRetriesAsync<TArgs, TResult>(ResiliencePipeline pipeline, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, bool atCreation)
    {
        var first = AttemptAsync(run, descriptor, args, run.Token, atCreation);
        return first.IsCompletedSuccessfully ? first : RetryIfFailedAsync(first, pipeline, run, descriptor, args);

        static async ValueTask<TResult> RetryIfFailedAsync(ValueTask<TResult> first, ResiliencePipeline pipeline, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
        {
            try
            {
                return await first.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return await ExecuteWithRetriesAsync(pipeline, run, descriptor, args, new ReplayedFailure(ex)).ConfigureAwait(false);
            }
        }
    }

    private static TResult ExecuteWithRetries<TArgs, TResult>(ResiliencePipeline pipeline, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, ReplayedFailure first) =>
        RetryPipeline.Execute(
            pipeline,
            run,
            static (ctx, state) =>
            {
                state.first.ThrowOnce();
                return Attempt(state.run, state.descriptor, state.args, ctx.CancellationToken, atCreation: false);
            },
            (run, descriptor, args, first));

    private static ValueTask<TResult> ExecuteWithRetriesAsync<TArgs, TResult>(ResiliencePipeline pipeline, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, ReplayedFailure first) =>
        RetryPipeline.ExecuteAsync(
            pipeline,
            run,
            static (ctx, state) =>
            {
                state.first.ThrowOnce();
                return AttemptAsync(state.run, state.descriptor, state.args, ctx.CancellationToken, atCreation: false);
            },
            (run, descriptor, args, first));

    /// <summary>One attempt; <paramref name="atCreation"/>: it starts at the run's creation instant (see <see cref="StartsAtCreation"/>).</summary>
    private static TResult Attempt<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken token, bool atCreation)
    {
        var invoke = descriptor.Invoke ?? throw new InvalidOperationException($"{descriptor} has no synchronous invoker.");
        token.ThrowIfCancellationRequested();

        // Slots are held for this attempt only: a retry gives them back while it waits for its delay.
        using var slots = RunLimiter.Acquire(run, token);
        if (run.Binding.Timeout is not { } timeout)
        {
            run.Engine.Lifecycle.Attempt(run, atCreation);
            return invoke(args, token);
        }

        // Armed before the attempt is recorded as Running: whoever sees Running sees a timeout already counting.
        using var timeoutSource = AttemptTimeout.Start(timeout, run.Engine.TimeProvider, token);
        run.Engine.Lifecycle.Attempt(run, atCreation);
        try
        {
            return invoke(args, timeoutSource.Token);
        }
        catch (OperationCanceledException ex) when (!token.IsCancellationRequested && timeoutSource.IsCancellationRequested)
        {
            throw run.Binding.TimeoutError(run.Attempt, ex);
        }
    }

    /// <summary>A task without limits goes straight to its attempt; its state machine carries no slot fields.</summary>
    private static ValueTask<TResult> AttemptAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken token, bool atCreation) =>
        run.Binding.Limiter is null ? UnlimitedAttemptAsync(run, descriptor, args, token, atCreation) : LimitedAttemptAsync(run, descriptor, args, token);

    /// <summary>Slots are held for this attempt only: a retry gives them back while it waits for its delay.</summary>
    private static async ValueTask<TResult> LimitedAttemptAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken token)
    {
        token.ThrowIfCancellationRequested();
        using var slots = await RunLimiter.AcquireAsync(run, token).ConfigureAwait(false);
        return await UnlimitedAttemptAsync(run, descriptor, args, token, atCreation: false).ConfigureAwait(false);
    }

    /// <summary>
    /// One attempt without limits. When the body completes at once, its own <see cref="ValueTask{TResult}"/> is
    /// returned (so a <see cref="Task{TResult}"/> it wraps can be handed back as it is); a throw becomes a faulted
    /// result, as from an async method.
    /// </summary>
    private static ValueTask<TResult> UnlimitedAttemptAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken token, bool atCreation)
    {
        try
        {
            var invoke = descriptor.InvokeAsync ?? throw new InvalidOperationException($"{descriptor} has no asynchronous invoker.");
            token.ThrowIfCancellationRequested();
            if (run.Binding.Timeout is not { } timeout)
            {
                run.Engine.Lifecycle.Attempt(run, atCreation);
                return invoke(args, token);
            }

            return TimedAttempt(run, invoke, args, timeout, token, atCreation);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
    }

    private static ValueTask<TResult> TimedAttempt<TArgs, TResult>(RunContext run, Func<TArgs, CancellationToken, ValueTask<TResult>> invoke, TArgs args, TimeSpan timeout, CancellationToken token, bool atCreation)
    {
        // Armed before the attempt is recorded as Running: whoever sees Running sees a timeout already counting.
        var timeoutSource = AttemptTimeout.Start(timeout, run.Engine.TimeProvider, token);
        ValueTask<TResult> pending;
        try
        {
            run.Engine.Lifecycle.Attempt(run, atCreation);
        }
        catch
        {
            timeoutSource.Dispose();
            throw;
        }

        try
        {
            pending = invoke(args, timeoutSource.Token);
        }
        catch (Exception ex)
        {
            pending = ValueTask.FromException<TResult>(ex);
        }

        if (pending.IsCompletedSuccessfully)
        {
            timeoutSource.Dispose();
            return pending;
        }

        return TimedOutWhenCancelledAsync(pending, run, timeoutSource, token);

        static async ValueTask<TResult> TimedOutWhenCancelledAsync(ValueTask<TResult> pending, RunContext run, AttemptTimeout timeoutSource, CancellationToken token)
        {
            using (timeoutSource)
            {
                try
                {
                    return await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!token.IsCancellationRequested && timeoutSource.IsCancellationRequested)
                {
                    throw run.Binding.TimeoutError(run.Attempt, ex);
                }
            }
        }
    }
}

using System.Text.Json;
using Flows.Caching;
using Flows.CompilerServices;
using Flows.Logging;
using Flows.Overlap;
using Flows.Recording;
using Flows.Runs;
using Flows.Secrets;

namespace Flows.Engine;

/// <summary>
/// The invoke path behind <see cref="RunInvoker"/>: creates the run, makes it current for the method's body, applies
/// retries and the timeout, and records every state. Its attempts (slots, the timeout, retries) are in
/// InvokePath.Attempts.cs.
/// </summary>
internal static partial class InvokePath
{
    internal static TResult Invoke<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken, RunOrigin? origin)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var parent = RunContext.Current;
        var run = Start(descriptor, args, parent, cancellationToken, origin, out var linked);
        var current = CurrentRunScope.Enter(run);
        var scope = run.Engine.Logging.BeginScope(run);
        try
        {
            // A run skipped by its flow's overlap policy is never recorded, so it gets no span either.
            using var admission = FlowRunAdmission.Begin(run);
            using var telemetry = run.Engine.Telemetry.Begin(run);
            using var prints = PrintCapture.Begin(run);
            using var live = LiveRuns.Track(run);

            // Synchronous flows block here and at their end until the store has their record (write-through).
            var created = run.Engine.Lifecycle.Created(run);
            var atCreation = StartsAtCreation(run, descriptor, created.IsCompletedSuccessfully);
            SyncWait.For(created);
            TResult result;
            CacheLookup<TResult> cached;
            try
            {
                (args, cached) = SyncWait.For(LookUpAsync(run, descriptor, args));
                if (cached.Hit)
                {
                    result = cached.Value;
                }
                else
                {
                    admission.Wait(run);
                    args = SyncWait.For(SecretsForAttemptsAsync(run, descriptor, args));
                    result = run.Binding.Pipeline is { } pipeline
                        ? AttemptWithRetries(pipeline, run, descriptor, args, atCreation)
                        : Attempt(run, descriptor, args, run.Token, atCreation);
                }
            }
            catch (Exception ex)
            {
                SyncWait.For(FailedAsync(run, descriptor, args, ex));
                throw;
            }

            SyncWait.For(EndedAsync(run, descriptor, args, cached, result));
            return result;
        }
        finally
        {
            scope?.Dispose();
            current.Exit();
            linked?.Dispose();
        }
    }

    internal static ValueTask<TResult> InvokeAsync<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken, RunOrigin? origin) =>
        InvokeAsync<TArgs, TResult, ResultOutcome<TResult>, TResult>(descriptor, args, cancellationToken, origin);

    /// <summary>
    /// For a method returning <see cref="Task{TResult}"/>: when the whole run completes at once, the body's own task
    /// (already completed) is handed back rather than a new one holding the same result.
    /// </summary>
    internal static Task<TResult> InvokeTaskAsync<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken, RunOrigin? origin)
    {
        var pending = InvokeAsync<TArgs, TResult, OwnTaskOutcome<TResult>, OwnTaskOutcome<TResult>>(descriptor, args, cancellationToken, origin);
        return pending.IsCompletedSuccessfully ? pending.Result.Task : ResultAsync(pending);

        static async Task<TResult> ResultAsync(ValueTask<OwnTaskOutcome<TResult>> pending) =>
            (await pending.ConfigureAwait(false)).Result;
    }

    /// <summary>
    /// The asynchronous path, whatever the method returns: <typeparamref name="TShape"/> says what it hands back
    /// (see <see cref="IAsyncOutcome{TResult, TOutcome}"/>).
    /// </summary>
    private static async ValueTask<TOutcome> InvokeAsync<TArgs, TResult, TShape, TOutcome>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, CancellationToken cancellationToken, RunOrigin? origin)
        where TShape : IAsyncOutcome<TResult, TOutcome>
    {
        ArgumentNullException.ThrowIfNull(descriptor);

        // An async method restores the caller's ExecutionContext when it returns, so setting the current run here
        // is seen by the body and everything it awaits, and by nothing after.
        var run = Start(descriptor, args, RunContext.Current, cancellationToken, origin, out var linked);
        RunContext.Current = run;
        using (linked)
        using (run.Engine.Logging.BeginScope(run))
        using (var admission = FlowRunAdmission.Begin(run))
        using (run.Engine.Telemetry.Begin(run))
        using (PrintCapture.Begin(run))
        using (LiveRuns.Track(run))
        {
            var created = run.Engine.Lifecycle.Created(run);
            var atCreation = StartsAtCreation(run, descriptor, created.IsCompletedSuccessfully);
            await created.ConfigureAwait(false);
            TResult result;
            TOutcome outcome;
            CacheLookup<TResult> cached;
            try
            {
                (args, cached) = await LookUpAsync(run, descriptor, args).ConfigureAwait(false);
                if (cached.Hit)
                {
                    result = cached.Value;
                    outcome = TShape.Of(result);
                }
                else
                {
                    await admission.WaitAsync(run).ConfigureAwait(false);
                    args = await SecretsForAttemptsAsync(run, descriptor, args).ConfigureAwait(false);
                    var attempts = run.Binding.Pipeline is { } pipeline
                        ? AttemptWithRetriesAsync(pipeline, run, descriptor, args, atCreation)
                        : AttemptAsync(run, descriptor, args, run.Token, atCreation);
                    if (attempts.IsCompletedSuccessfully)
                    {
                        outcome = TShape.Completed(attempts, out result);
                    }
                    else
                    {
                        result = await attempts.ConfigureAwait(false);
                        outcome = TShape.Of(result);
                    }
                }
            }
            catch (Exception ex)
            {
                await FailedAsync(run, descriptor, args, ex).ConfigureAwait(false);
                throw;
            }

            await EndedAsync(run, descriptor, args, cached, result).ConfigureAwait(false);
            return outcome;
        }
    }

    /// <summary>
    /// The steps before admission, shared by both paths: a caching run's lookup, preceded by its secrets when its key
    /// needs them (see <see cref="ResolvesSecretsBeforeLookup"/>). Runs that do not cache complete at once.
    /// </summary>
    private static ValueTask<(TArgs Args, CacheLookup<TResult> Cached)> LookUpAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
    {
        return run.CacheKey is null ? new((args, default)) : LookUpCachingAsync(run, descriptor, args);

        static async ValueTask<(TArgs, CacheLookup<TResult>)> LookUpCachingAsync(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
        {
            if (ResolvesSecretsBeforeLookup(run, descriptor))
            {
                args = await SecretInjection.InjectAsync(run, descriptor, args).ConfigureAwait(false);
            }

            return (args, await run.Engine.Cache.LookupAsync<TResult>(run).ConfigureAwait(false));
        }
    }

    /// <summary>The run's secrets, once it is admitted and about to make its first attempt, unless the lookup resolved them already.</summary>
    private static ValueTask<TArgs> SecretsForAttemptsAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args) =>
        descriptor.InjectSecrets is null || ResolvesSecretsBeforeLookup(run, descriptor) ? new(args) : SecretInjection.InjectAsync(run, descriptor, args);

    /// <summary>The run completed, or took its result from the cache: recorded, then its OnCompletion hook.</summary>
    private static ValueTask EndedAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, CacheLookup<TResult> cached, TResult result)
    {
        var recorded = cached.Hit ? run.Engine.Lifecycle.Cached(run, cached.Entry!) : run.Engine.Lifecycle.Completed(run, ResultJson(run, descriptor, result));
        return recorded.IsCompletedSuccessfully ? RunHook(run, descriptor.OnCompletion, args, nameof(RunAttribute.OnCompletion)) : ThenHookAsync(recorded, run, descriptor, args);

        static async ValueTask ThenHookAsync(ValueTask recorded, RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
        {
            await recorded.ConfigureAwait(false);
            await RunHook(run, descriptor.OnCompletion, args, nameof(RunAttribute.OnCompletion)).ConfigureAwait(false);
        }
    }

    /// <summary>The run failed: recorded (see <see cref="RunOutcome"/> for its state), then the hook for that state.</summary>
    private static async ValueTask FailedAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args, Exception error)
    {
        await run.Engine.Lifecycle.Failed(run, error).ConfigureAwait(false);
        await RunFailureHook(run, descriptor, args).ConfigureAwait(false);
    }

    /// <summary>
    /// A caching run with <see cref="SecretAttribute"/> parameters resolves them before its cache lookup: its key
    /// includes them, and a hit must still teach the engine's masker their values. Other runs resolve theirs once
    /// admitted, just before their first attempt, so a queued flow does not hold a value that may rotate meanwhile.
    /// </summary>
    private static bool ResolvesSecretsBeforeLookup<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor) =>
        run.CacheKey is not null && descriptor.InjectSecrets is not null;

    private static RunContext Start<TArgs, TResult>(RunDescriptor<TArgs, TResult> descriptor, TArgs args, RunContext? parent, CancellationToken callerToken, RunOrigin? origin, out CancellationTokenSource? linked)
    {
        var engine = parent?.Engine ?? EngineScope.OutsideRuns;
        var binding = engine.Bind(descriptor);
        var cacheKey = TaskCache.KeyFor(binding, descriptor, args);
        var run = engine.StartRun(binding, parent, callerToken, origin, out linked);
        run.CacheKey = cacheKey;
        if (descriptor.Kind == RunKind.Flow && descriptor.WriteParameters is { } write)
        {
            run.Parameters = RecordedParameters(engine, write, args);
        }

        return run;
    }

    /// <summary>A flow run's parameters as its record keeps them: JSON, secret parameters as <c>***</c>, secret values the engine knows masked.</summary>
    internal static string RecordedParameters<TArgs>(FlowEngine engine, Action<TArgs, ParameterWriter> write, TArgs args)
    {
        var writer = new ParameterWriter();
        write(args, writer);
        return engine.Redact(writer.ToString());
    }

    /// <summary>OnCancellation for Cancelled runs, OnCrashed for Crashed ones, OnFailure for Failed and TimedOut.</summary>
    private static ValueTask RunFailureHook<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args) => run.State switch
    {
        RunState.Cancelled => RunHook(run, descriptor.OnCancellation, args, nameof(RunAttribute.OnCancellation)),
        RunState.Crashed => RunHook(run, descriptor.OnCrashed, args, nameof(RunAttribute.OnCrashed)),
        _ => RunHook(run, descriptor.OnFailure, args, nameof(RunAttribute.OnFailure)),
    };

    /// <summary>Runs a hook with the run's final record; runs without the hook never build that record.</summary>
    private static ValueTask RunHook<TArgs>(RunContext run, Func<TArgs, RunRecord, ValueTask>? hook, TArgs args, string name) =>
        hook is null ? default : RunHookAsync(run, hook, args, name);

    private static async ValueTask RunHookAsync<TArgs>(RunContext run, Func<TArgs, RunRecord, ValueTask> hook, TArgs args, string name)
    {
        try
        {
            await hook(args, run.Snapshot()).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            run.Engine.Lifecycle.HookFailed(run, name, ex);
        }
    }

    /// <summary>Flow runs record their result; task results are recorded only where caching needs them.</summary>
    private static string? ResultJson<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TResult result)
    {
        if (descriptor.Kind != RunKind.Flow && run.CacheKey is null)
        {
            return null;
        }

        if (result is null)
        {
            return run.CacheKey is null ? null : "null";
        }

        if (result is Unit)
        {
            // A cached task that returns nothing still records that it ran: its entry holds an empty object.
            return run.CacheKey is null ? null : "{}";
        }

        try
        {
            return JsonSerializer.Serialize(result, FlowJson.Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}

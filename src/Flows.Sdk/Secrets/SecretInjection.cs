using Flows.Runtime;

namespace Flows.Secrets;

/// <summary>
/// The runtime's one step for secrets: before a run's first attempt, replace its <see cref="SecretAttribute"/>
/// parameters with resolved values, and re-mask its recorded parameters with whatever values that taught the masker.
/// A failure here fails the run before its body starts. Descriptors without secret parameters cost one null check.
/// </summary>
internal static class SecretInjection
{
    public static ValueTask<TArgs> InjectAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
    {
        if (descriptor.InjectSecrets is not { } inject)
        {
            return new(args);
        }

        var injected = inject(args, new SecretArguments(run));
        if (!injected.IsCompletedSuccessfully)
        {
            return Remask(run, injected);
        }

        RemaskParameters(run);
        return injected;
    }

    /// <summary>
    /// For synchronous runs. Cached secrets and synchronous providers (environment, configuration, files) complete
    /// at once; a provider that really awaits (AWS SSM on a cache miss) blocks the run's thread until it answers.
    /// </summary>
    public static TArgs Inject<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
    {
        return SyncWait.For(InjectAsync(run, descriptor, args));
    }

    private static async ValueTask<TArgs> Remask<TArgs>(RunContext run, ValueTask<TArgs> injected)
    {
        var args = await injected.ConfigureAwait(false);
        RemaskParameters(run);
        return args;
    }

    private static void RemaskParameters(RunContext run)
    {
        if (run.Parameters is { } parameters)
        {
            run.Parameters = run.Engine.Redact(parameters);
        }
    }
}

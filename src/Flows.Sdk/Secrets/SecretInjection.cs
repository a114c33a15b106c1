using Flows.CompilerServices;
using Flows.Engine;

namespace Flows.Secrets;

/// <summary>
/// The runtime's one step for secrets: before a run's first attempt (or, for a caching run, before its cache lookup),
/// replace its <see cref="SecretAttribute"/> parameters with resolved values, re-mask its recorded parameters with
/// whatever values that taught the masker, and fold the values into its cache key. A failure here fails the run
/// before its body starts. Descriptors without secret parameters cost one null check.
/// </summary>
internal static class SecretInjection
{
    /// <summary>
    /// Resolves the run's secret parameters. Cached secrets and synchronous providers (environment, configuration,
    /// files) complete at once; a synchronous run waits for a provider that really awaits (AWS SSM on a cache miss)
    /// by blocking its thread.
    /// </summary>
    public static ValueTask<TArgs> InjectAsync<TArgs, TResult>(RunContext run, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
    {
        if (descriptor.InjectSecrets is not { } inject)
        {
            return new(args);
        }

        var arguments = new SecretArguments(run);
        var injected = inject(args, arguments);
        if (!injected.IsCompletedSuccessfully)
        {
            return AfterAsync(run, arguments, injected);
        }

        After(run, arguments);
        return injected;
    }

    private static async ValueTask<TArgs> AfterAsync<TArgs>(RunContext run, SecretArguments arguments, ValueTask<TArgs> injected)
    {
        var args = await injected.ConfigureAwait(false);
        After(run, arguments);
        return args;
    }

    private static void After(RunContext run, SecretArguments arguments)
    {
        if (run.Parameters is { } parameters)
        {
            run.Parameters = run.Engine.Redact(parameters);
        }

        if (run.CacheKey is { } key && arguments.Values.Count > 0)
        {
            run.CacheKey = run.Engine.Cache.KeyWithSecrets(run.Binding, key, arguments.Values);
        }
    }
}

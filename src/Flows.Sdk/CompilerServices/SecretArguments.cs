using System.ComponentModel;
using Flows.Engine;

namespace Flows.CompilerServices;

/// <summary>
/// Resolves the <see cref="SecretAttribute"/> parameters of one run for its descriptor's
/// <see cref="RunDescriptor{TArgs, TResult}.InjectSecrets"/> delegate. Called by generated code.
/// For generated code; not a stable API for hand-written code.
/// </summary>
/// <remarks>
/// A parameter the caller left at its default is resolved from the engine's providers. A parameter the caller gave
/// another value keeps that value (a test or a caller that already holds the secret), and the value is masked like
/// a resolved one.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class SecretArguments
{
    private readonly RunContext _run;
    private List<KeyValuePair<string, string>>? _values;

    internal SecretArguments(RunContext run) => _run = run;

    /// <summary>
    /// For a caching run, each secret parameter's value (a credential's user name and password apart), in parameter
    /// order, for its cache key; empty for other runs, which need no list.
    /// </summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Values => (IReadOnlyList<KeyValuePair<string, string>>?)_values ?? [];

    /// <summary>The value to call the method with for one secret parameter.</summary>
    public ValueTask<T> ResolveAsync<T>(string parameter, string secretName, T given, T defaultValue)
    {
        var masker = _run.Engine.Secrets.Masker;
        if (!EqualityComparer<T>.Default.Equals(given, defaultValue))
        {
            masker.Add(given switch
            {
                string text => text,
                SecretCredential credential => credential.Password,
                _ => null,
            });
            return new(Keep(parameter, given));
        }

        return Resolve<T>(parameter, secretName);
    }

    private async ValueTask<T> Resolve<T>(string parameter, string secretName)
    {
        var secrets = _run.Engine.Secrets;
        try
        {
            if (typeof(T) == typeof(string))
            {
                return Keep(parameter, (T)(object)await secrets.GetAsync(secretName, _run.Token).ConfigureAwait(false));
            }

            if (typeof(T) == typeof(SecretCredential))
            {
                return Keep(parameter, (T)(object)await secrets.GetCredentialAsync(secretName, _run.Token).ConfigureAwait(false));
            }
        }
        catch (SecretResolutionException ex)
        {
            throw new SecretResolutionException(secretName, $"{_run.Binding.Label}: parameter '{parameter}': {ex.Message}", ex.InnerException);
        }
        catch (ArgumentException ex)
        {
            throw new SecretResolutionException(secretName, $"{_run.Binding.Label}: parameter '{parameter}': {ex.Message}", ex);
        }

        throw new SecretResolutionException(
            secretName,
            $"{_run.Binding.Label}: parameter '{parameter}' is a [Secret(\"{secretName}\")] of type {typeof(T).Name}; secrets are injected into string or SecretCredential parameters only.");
    }

    private T Keep<T>(string parameter, T value)
    {
        if (_run.CacheKey is null)
        {
            return value;
        }

        switch (value)
        {
            case string text:
                (_values ??= []).Add(new(parameter, text));
                break;
            case SecretCredential credential:
                (_values ??= []).Add(new(parameter + ".username", credential.Username));
                _values.Add(new(parameter + ".password", credential.Password));
                break;
        }

        return value;
    }
}

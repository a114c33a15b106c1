using System.ComponentModel;

namespace Flows.Runtime;

/// <summary>
/// Resolves the <see cref="SecretAttribute"/> parameters of one run for its descriptor's
/// <see cref="RunDescriptor{TArgs, TResult}.InjectSecrets"/> delegate. Called by generated code.
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

    internal SecretArguments(RunContext run) => _run = run;

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
            return new(given);
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
                return (T)(object)await secrets.GetAsync(secretName, _run.Token).ConfigureAwait(false);
            }

            if (typeof(T) == typeof(SecretCredential))
            {
                return (T)(object)await secrets.GetCredentialAsync(secretName, _run.Token).ConfigureAwait(false);
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
}

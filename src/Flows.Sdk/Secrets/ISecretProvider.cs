namespace Flows.Secrets;

/// <summary>
/// One place secrets are looked up: environment variables, configuration, files, AWS SSM Parameter Store, or your
/// own. An engine asks its providers in order and the first that has a secret wins; results are cached by the
/// engine, so a provider need not cache.
/// </summary>
public interface ISecretProvider
{
    /// <summary>Where this provider would look for a secret, for the error raised when no provider has it (never a value).</summary>
    /// <example><c>environment variable VAN_API_KEY</c></example>
    string Describe(string name);

    /// <summary>Returns the secret's value, or null when this provider does not have it.</summary>
    /// <exception cref="SecretResolutionException">The provider could not answer (access denied, unreachable); the chain stops here.</exception>
    ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Returns a user name and password, or null when this provider does not have them. By default the pair of
    /// secrets <c>&lt;name&gt;-username</c> and <c>&lt;name&gt;-password</c>.
    /// </summary>
    async ValueTask<SecretCredential?> GetCredentialAsync(string name, CancellationToken cancellationToken)
    {
        var username = await GetAsync(name + "-username", cancellationToken).ConfigureAwait(false);
        var password = await GetAsync(name + "-password", cancellationToken).ConfigureAwait(false);
        return username is null || password is null ? null : new SecretCredential(username, password);
    }

    /// <summary>Where this provider would look for a credential, for errors.</summary>
    string DescribeCredential(string name) => $"{Describe(name + "-username")} and {Describe(name + "-password")}";
}

namespace Flows;

/// <summary>
/// A secret could not be resolved: no provider has it, or a provider failed. The message names the secret and
/// where each provider looked; it never contains a secret value.
/// </summary>
public sealed class SecretResolutionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SecretResolutionException(string secretName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SecretName = secretName;
    }

    /// <summary>The secret's name.</summary>
    public string SecretName { get; }

    /// <summary>True when every provider answered that it has no such secret (as opposed to a provider failing).</summary>
    internal bool IsNotFound { get; init; }
}

using Flows.Secrets;

namespace Flows;

/// <summary>
/// A user name and password resolved together, as Civis passes credentials (<c>&lt;NAME&gt;_USERNAME</c> and
/// <c>&lt;NAME&gt;_PASSWORD</c>). Use it as the type of a <see cref="SecretAttribute"/> parameter or get one from
/// <see cref="SecretResolver.GetCredentialAsync"/>. Its <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Username">The user name. Not masked in logs: user names are identifiers, not secrets.</param>
/// <param name="Password">The password, masked wherever the runtime records text.</param>
public sealed record SecretCredential(string Username, string Password)
{
    /// <summary>Shows the user name and hides the password, so logging the credential leaks nothing.</summary>
    public override string ToString() => $"SecretCredential {{ Username = {Username}, Password = *** }}";
}

using System.Text;

namespace Flows.Secrets;

/// <summary>Rules for secret names: what a valid one is, and how one maps to an environment variable.</summary>
internal static class SecretNames
{
    /// <summary>Throws when a secret name is null, empty or only white space, saying where it came from.</summary>
    public static void Validate(string? name, string where)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{where}: a secret name is empty; give the secret a name such as \"van-api-key\".", nameof(name));
        }
    }

    /// <summary>
    /// The environment variable a secret name maps to: letters upper-cased, digits kept, every other character
    /// <c>_</c>. <c>van-api-key</c> becomes <c>VAN_API_KEY</c>, <c>db.password</c> becomes <c>DB_PASSWORD</c>.
    /// </summary>
    public static string ToEnvironmentVariable(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }
}

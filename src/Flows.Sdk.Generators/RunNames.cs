using System.Text;

namespace Flows.Sdk.Generators;

/// <summary>Default run names: the method name in kebab-case, without a trailing <c>Async</c>.</summary>
internal static class RunNames
{
    private const string AsyncSuffix = "Async";

    /// <summary><c>LoadContacts</c> → <c>load-contacts</c>, <c>RunETLJob</c> → <c>run-etl-job</c>, <c>DownloadAsync</c> → <c>download</c>.</summary>
    public static string FromMethodName(string methodName)
    {
        var name = methodName.Length > AsyncSuffix.Length && methodName.EndsWith(AsyncSuffix, System.StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - AsyncSuffix.Length)
            : methodName;

        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_')
            {
                AppendSeparator(builder);
                continue;
            }

            if (char.IsUpper(c) && i > 0 && StartsWord(name, i))
            {
                AppendSeparator(builder);
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString().Trim('-');
    }

    /// <summary>A valid run name is non-empty and has no whitespace.</summary>
    public static bool IsValid(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    // An upper-case letter starts a word after a lower-case letter or digit ("loadContacts"), or when it is the
    // last capital of an acronym followed by lower case ("ETLJob": the J).
    private static bool StartsWord(string name, int i)
    {
        var previous = name[i - 1];
        if (char.IsLower(previous) || char.IsDigit(previous))
        {
            return true;
        }

        return char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]);
    }

    private static void AppendSeparator(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '-')
        {
            builder.Append('-');
        }
    }
}

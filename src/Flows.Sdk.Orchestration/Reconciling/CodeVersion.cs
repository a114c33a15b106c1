using System.Reflection;

namespace Flows.Orchestration.Reconciling;

/// <summary>
/// The version of the code a process runs - the entry assembly's informational version - and how two versions compare
/// during a rolling deploy.
/// </summary>
internal static class CodeVersion
{
    /// <summary>The entry assembly's <see cref="AssemblyInformationalVersionAttribute"/>, else its version, else <c>0.0.0</c>.</summary>
    public static string Current { get; } = Of(Assembly.GetEntryAssembly());

    public static string Of(Assembly? assembly) =>
        assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly?.GetName().Version?.ToString()
        ?? "0.0.0";

    /// <summary>
    /// True when <paramref name="stored"/> is strictly newer than <paramref name="mine"/>: both read as SemVer
    /// (numeric <c>major.minor.patch[.revision]</c>, then a pre-release label, which sorts before the release; build
    /// metadata after <c>+</c>, such as a commit id, ignored). A version that does not read so is never newer, so code
    /// without versions always reconciles: the last process to start wins.
    /// </summary>
    public static bool IsNewer(string? stored, string mine)
    {
        if (!TryRead(stored, out var storedNumber, out var storedLabel) || !TryRead(mine, out var myNumber, out var myLabel))
        {
            return false;
        }

        var byNumber = storedNumber.CompareTo(myNumber);
        if (byNumber != 0)
        {
            return byNumber > 0;
        }

        // Same numbers: a release is newer than any of its pre-releases; two pre-releases compare by label.
        return (storedLabel, myLabel) switch
        {
            (null, null) => false,
            (null, _) => true,
            (_, null) => false,
            _ => CompareLabels(storedLabel, myLabel) > 0,
        };
    }

    /// <summary>
    /// SemVer's pre-release order: dot-separated identifiers left to right, numeric ones by value (<c>rc.10</c> after
    /// <c>rc.2</c>) and before alphanumeric ones, which compare as text; a label that is a prefix of another is older.
    /// </summary>
    private static int CompareLabels(string left, string right)
    {
        var a = left.Split('.');
        var b = right.Split('.');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var aNumeric = ulong.TryParse(a[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var aNumber);
            var bNumeric = ulong.TryParse(b[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bNumber);
            var order = (aNumeric, bNumeric) switch
            {
                (true, true) => aNumber.CompareTo(bNumber),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(a[i], b[i]),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static bool TryRead(string? text, out Version number, out string? label)
    {
        number = new Version();
        label = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var core = text.Split('+', 2)[0];
        var parts = core.Split('-', 2);
        label = parts.Length == 2 ? parts[1] : null;
        var numbers = parts[0].Split('.');
        if (numbers.Length == 1)
        {
            parts[0] += ".0";
        }

        return Version.TryParse(parts[0], out number!);
    }
}

using System.Text.RegularExpressions;

namespace Flows.Redshift.Sql;

/// <summary>What a split statement does to its transaction: takes control of it, or (TRUNCATE on Redshift) commits on its own.</summary>
internal sealed partial class SqlScript
{
    /// <summary>Whether a script contains its own transaction control, so it must not be wrapped in another transaction.</summary>
    [GeneratedRegex(@"^\s*(BEGIN|COMMIT|END|ROLLBACK|ABORT|START\s+TRANSACTION)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TransactionControl();

    public static bool ControlsTransactions(IEnumerable<SqlStatement> statements) =>
        statements.Any(s => TransactionControl().IsMatch(StripLeadingComments(s.Text)));

    /// <summary>Redshift's TRUNCATE commits the transaction it runs in.</summary>
    [GeneratedRegex(@"^\s*TRUNCATE\b", RegexOptions.IgnoreCase)]
    private static partial Regex Truncate();

    /// <summary>Whether the statement commits the transaction it runs in, on Redshift.</summary>
    public static bool CommitsOnItsOwn(SqlStatement statement) => Truncate().IsMatch(StripLeadingComments(statement.Text));

    /// <summary>The text after any comments it starts with.</summary>
    public static string StripLeadingComments(string text)
    {
        var rest = text.TrimStart();
        while (true)
        {
            if (rest.StartsWith("--", StringComparison.Ordinal))
            {
                var end = rest.IndexOf('\n', StringComparison.Ordinal);
                rest = end < 0 ? string.Empty : rest[(end + 1)..].TrimStart();
            }
            else if (rest.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = rest.IndexOf("*/", StringComparison.Ordinal);
                rest = end < 0 ? string.Empty : rest[(end + 2)..].TrimStart();
            }
            else
            {
                return rest;
            }
        }
    }
}

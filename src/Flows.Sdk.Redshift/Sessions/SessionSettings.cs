using System.Globalization;
using System.Text.RegularExpressions;

namespace Flows.Redshift.Sessions;

/// <summary>
/// The session settings one use of a connection carries: the run tag and the statement timeout. Npgsql cannot
/// reset pooled connections on Redshift (no <c>DISCARD ALL</c>), so they are set when a connection is taken and
/// reset before it goes back.
/// </summary>
internal sealed partial record SessionSettings(string? TagSetting, string? Tag, TimeSpan? StatementTimeout)
{
    /// <summary>Redshift's label for queries, shown in <c>stl_query.label</c>; up to 320 characters.</summary>
    public const string QueryGroup = "query_group";

    private const int MaxTagLength = 320;

    public bool IsEmpty => Tag is null && StatementTimeout is null;

    /// <summary>The names to <c>RESET</c>, in SQL.</summary>
    public IEnumerable<string> Names
    {
        get
        {
            if (Tag is not null)
            {
                yield return TagSetting!;
            }

            if (StatementTimeout is not null)
            {
                yield return "statement_timeout";
            }
        }
    }

    public string TimeoutMilliseconds => ((long)StatementTimeout!.Value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>Settings for the current run (none outside a run), with the tag setting checked.</summary>
    public static SessionSettings ForCurrentRun(RedshiftOptions options, ServerInfo server)
    {
        var setting = options.RunTagSetting ?? (server.IsRedshift ? QueryGroup : "application_name");
        if (!SettingName().IsMatch(setting))
        {
            throw new RedshiftInputException($"RedshiftOptions.RunTagSetting '{setting}' is not a setting name (letters, digits, '_' and '.').");
        }

        // The run id first: it identifies the run even where a setting is cut short (application_name keeps 63 bytes).
        var tag = Flow.RunId is { } id ? $"flows:{id}:{Flow.RunName}" : null;
        if (tag is { Length: > MaxTagLength })
        {
            tag = tag[..MaxTagLength];
        }

        return new SessionSettings(setting, tag, options.StatementTimeout);
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex SettingName();
}

using Flows.Redshift.Logging;

namespace Flows.Redshift.Sql;

/// <summary>One statement of a SQL file, ready to run, with the line it starts on.</summary>
internal sealed record SqlStatement(string Text, int Line)
{
    /// <summary>The first words of the statement on one line, for logs, the run's secrets masked before it is cut.</summary>
    public string Summary
    {
        get
        {
            var flat = RedshiftLog.Redact(string.Join(' ', SqlScript.StripLeadingComments(Text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            return flat.Length <= 80 ? flat : string.Concat(flat.AsSpan(0, 77), "...");
        }
    }
}

namespace Flows.Cli.Commands;

/// <summary>Reads the run ids verbs take: the id as <c>flows runs</c> shows it (a GUID, with or without hyphens or braces).</summary>
internal static class RunIds
{
    public static Guid Parse(string text) =>
        Guid.TryParse(text?.Trim(), out var id)
            ? id
            : throw new CommandLineException($"'{text}' is not a run id: expected a GUID such as 0193a8f2-7c4e-7a31-9d2b-5e8f01c2a4b6, as 'flows runs' lists them.");
}

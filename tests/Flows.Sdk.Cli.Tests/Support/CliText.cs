namespace Flows.Cli.Tests.Support;

/// <summary>Messages as the 80-column console wrapped them, put back on one line to compare with what the code says.</summary>
public static class CliText
{
    public static string Flat(string text) =>
        string.Join(' ', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}

using System.Text.Json;
using Flows.Cli.Commands;

namespace Flows.Cli.Output;

/// <summary>
/// JSON Lines for output that streams (<c>logs --follow --json</c>): each value on one line, in
/// <see cref="CommandContext.Json"/>'s shape but not indented, flushed at once so a reader sees it as it happens.
/// </summary>
internal static class JsonLines
{
    private static readonly JsonSerializerOptions Compact = new(CommandContext.Json) { WriteIndented = false };

    public static void Write<T>(CommandContext context, T value)
    {
        var writer = context.Out.Profile.Out.Writer;
        writer.WriteLine(JsonSerializer.Serialize(value, Compact));
        writer.Flush();
    }
}

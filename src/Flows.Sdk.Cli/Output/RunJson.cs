using System.Text.Json;
using Flows.Runs;

namespace Flows.Cli.Output;

/// <summary>
/// A run as every <c>--json</c> output gives it (docs/cli.md): its record with times in UTC ISO 8601, the duration in
/// seconds, and its parameters and result as JSON values (already masked when recorded).
/// </summary>
internal sealed record RunJson(
    Guid Id,
    RunKind Kind,
    string Name,
    RunState State,
    int Attempt,
    Guid? FlowRunId,
    Guid? ParentRunId,
    string? Deployment,
    IReadOnlyList<string> Tags,
    string? Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ScheduledFor,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    JsonElement? Parameters,
    JsonElement? Result,
    string? Error)
{
    public static RunJson From(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(
            run.Id,
            run.Kind,
            run.Name,
            run.State,
            run.Attempt,
            run.FlowRunId,
            run.ParentRunId,
            run.Deployment,
            run.Tags,
            run.Version,
            run.CreatedAt.ToUniversalTime(),
            run.ScheduledFor?.ToUniversalTime(),
            run.StartedAt?.ToUniversalTime(),
            run.EndedAt?.ToUniversalTime(),
            run.Duration?.TotalSeconds,
            Element(run.Parameters),
            Element(run.Result),
            run.Error);
    }

    /// <summary>Stored JSON as a value; text that is not JSON (a result recorded as plain text) as a JSON string.</summary>
    private static JsonElement? Element(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }
}

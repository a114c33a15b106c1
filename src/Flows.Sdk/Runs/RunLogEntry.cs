using Microsoft.Extensions.Logging;

namespace Flows.Runs;

/// <summary>A log line written inside a run and stored with it.</summary>
/// <param name="RunId">The task run or flow run the line was written in.</param>
/// <param name="FlowRunId">The flow run it belongs to, if any.</param>
/// <param name="Timestamp">When it was written.</param>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception text, if one was logged.</param>
/// <param name="Properties">The message template's values and other structured properties, as text with secrets masked.</param>
public sealed record RunLogEntry(
    Guid RunId,
    Guid? FlowRunId,
    DateTimeOffset Timestamp,
    LogLevel Level,
    string Category,
    string Message,
    string? Exception = null,
    IReadOnlyDictionary<string, string?>? Properties = null);

namespace Flows.Runs;

/// <summary>A table, markdown text or link attached to a run and stored with it.</summary>
/// <param name="Id">The artifact's id (a version 7 GUID).</param>
/// <param name="RunId">The task run or flow run it was created in.</param>
/// <param name="FlowRunId">The flow run it belongs to, if any.</param>
/// <param name="Key">The name it was given (<c>loaded</c> in <c>Flow.Artifacts.Table("loaded", rows)</c>).</param>
/// <param name="Kind">Table, markdown or link.</param>
/// <param name="Content">The content with secrets masked: JSON rows for a table, markdown text, or the URL.</param>
/// <param name="Description">An optional description.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record RunArtifact(
    Guid Id,
    Guid RunId,
    Guid? FlowRunId,
    string Key,
    ArtifactKind Kind,
    string Content,
    string? Description,
    DateTimeOffset CreatedAt);

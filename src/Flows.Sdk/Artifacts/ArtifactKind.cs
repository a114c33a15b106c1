namespace Flows;

/// <summary>What an artifact holds and how a dashboard renders it.</summary>
public enum ArtifactKind
{
    /// <summary>Rows as a JSON array of objects.</summary>
    Table = 0,

    /// <summary>Markdown text.</summary>
    Markdown = 1,

    /// <summary>A link (URL).</summary>
    Link = 2,
}

namespace Flows.Runs;

/// <summary>What an artifact holds, and so how it is to be rendered.</summary>
public enum ArtifactKind
{
    /// <summary>Rows as a JSON array of objects.</summary>
    Table = 0,

    /// <summary>Markdown text.</summary>
    Markdown = 1,

    /// <summary>A link (URL).</summary>
    Link = 2,
}

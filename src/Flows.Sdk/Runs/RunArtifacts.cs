using System.Text.Json;
using Flows.Engine;

namespace Flows.Runs;

/// <summary>
/// Creates artifacts on the current run (<see cref="Flow.Artifacts"/>): a table of rows, markdown text or a link,
/// stored with the run (read back with the store's <c>GetArtifactsAsync</c>). Their text passes the engine's secret masking.
/// </summary>
public sealed class RunArtifacts
{
    internal RunArtifacts()
    {
    }

    /// <summary>Attaches rows as a table; each row is serialised with System.Text.Json as an object of columns.</summary>
    /// <exception cref="InvalidOperationException">Called outside a flow or task run, or a row cannot be serialised.</exception>
    public RunArtifact Table<T>(string key, IEnumerable<T> rows, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        string json;
        try
        {
            json = JsonSerializer.Serialize(rows, FlowJson.Options);
        }
        catch (Exception ex) when (ex is NotSupportedException or JsonException)
        {
            throw new InvalidOperationException($"Artifact '{key}': rows of {typeof(T).Name} cannot be serialised to JSON: {ex.Message}", ex);
        }

        return Create(ArtifactKind.Table, key, json, description);
    }

    /// <summary>Attaches markdown text.</summary>
    /// <exception cref="InvalidOperationException">Called outside a flow or task run.</exception>
    public RunArtifact Markdown(string key, string markdown, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return Create(ArtifactKind.Markdown, key, markdown, description);
    }

    /// <summary>Attaches a link to something the run produced or used.</summary>
    /// <exception cref="InvalidOperationException">Called outside a flow or task run.</exception>
    public RunArtifact Link(string key, Uri link, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        return Create(ArtifactKind.Link, key, link.ToString(), description);
    }

    private static RunArtifact Create(ArtifactKind kind, string key, string content, string? description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var run = RunContext.Current
            ?? throw new InvalidOperationException($"Artifact '{key}' was created outside any flow or task run; create artifacts inside a [Flow] or [Task] method.");
        return run.Engine.Lifecycle.Artifact(run, kind, key, content, description);
    }
}

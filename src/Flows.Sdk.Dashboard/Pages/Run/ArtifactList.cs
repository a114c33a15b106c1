using System.Globalization;
using System.Text.Json;
using Flows.Dashboard.Rendering;
using Flows.Runs;

namespace Flows.Dashboard.Pages.Run;

/// <summary>A run's artifacts (for a flow run, its task runs' too): tables as tables, markdown as HTML, links as links.</summary>
internal static class ArtifactList
{
    /// <summary>The most rows a table artifact shows; the page says how many it has.</summary>
    public const int MaxRows = 200;

    public static async Task<Html> RenderAsync(RunData data, RunRecord run)
    {
        var artifacts = await data.ArtifactsAsync().ConfigureAwait(false);
        if (artifacts.Count == 0)
        {
            return Html.Raw("<p class=\"muted\">No artifacts.</p>");
        }

        var names = new Dictionary<Guid, string> { [run.Id] = run.Name };
        if (run.Kind == RunKind.Flow)
        {
            foreach (var child in (await data.ChildrenAsync().ConfigureAwait(false)).Tasks)
            {
                names[child.Id] = child.Name;
            }
        }

        return Html.Join(artifacts, a => Html.Of($"""
            <section class="artifact artifact-{a.Kind.ToString().ToLowerInvariant()}">
            <h3>{a.Key} <span class="muted">{a.Kind.ToString().ToLowerInvariant()} · {names.GetValueOrDefault(a.RunId, "another run")} · {Format.Time(a.CreatedAt)}</span></h3>
            {Html.If(a.Description is not null, Html.Of($"<p>{a.Description}</p>"))}
            {Content(a)}
            </section>
            """));
    }

    private static Html Content(RunArtifact artifact) => artifact.Kind switch
    {
        ArtifactKind.Markdown => Html.Of($"<div class=\"markdown\">{ArtifactMarkdown.Render(artifact.Content)}</div>"),
        ArtifactKind.Link => ArtifactLinks.IsWeb(artifact.Content)
            ? Html.Of($"<p><a href=\"{artifact.Content}\" rel=\"noopener noreferrer\">{artifact.Content}</a></p>")
            : Html.Of($"<p><code>{artifact.Content}</code> <span class=\"muted\">(not an http or https address, so not a link)</span></p>"),
        _ => Table(artifact.Content),
    };

    private static Html Table(string content)
    {
        List<JsonElement> rows;
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Html.Of($"<pre>{content}</pre>");
            }

            rows = [.. document.RootElement.EnumerateArray().Select(r => r.Clone())];
        }
        catch (JsonException)
        {
            return Html.Of($"<pre>{content}</pre>");
        }

        var columns = rows.Where(r => r.ValueKind == JsonValueKind.Object).SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal).ToList();
        var shown = rows.Take(MaxRows).ToList();
        var note = Html.If(rows.Count > MaxRows, Html.Of($"<p class=\"muted\">{string.Create(CultureInfo.InvariantCulture, $"Showing the first {MaxRows} of {rows.Count:N0} rows.")}</p>"));
        return Html.Of($"""
            <div class="table-wrap"><table class="artifact-table">
            <thead><tr>{Html.Join(columns, c => Html.Of($"<th scope=\"col\">{c}</th>"))}</tr></thead>
            <tbody>{Html.Join(shown, r => Html.Of($"<tr>{Html.Join(columns, c => Cell(r, c))}</tr>"))}</tbody>
            </table></div>
            {note}
            """);
    }

    private static Html Cell(JsonElement row, string column) =>
        row.ValueKind == JsonValueKind.Object && row.TryGetProperty(column, out var value) && value.ValueKind != JsonValueKind.Null
            ? Html.Of($"<td>{RunSummary.JsonText(value)}</td>")
            : Html.Raw("<td><span class=\"none\">—</span></td>");
}

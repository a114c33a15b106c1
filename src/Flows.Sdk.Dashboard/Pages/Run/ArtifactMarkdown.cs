using Flows.Dashboard.Rendering;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Flows.Dashboard.Pages.Run;

/// <summary>
/// Markdown artifacts as HTML, safely: raw HTML in the text is written as text (so a <c>&lt;script&gt;</c> is inert),
/// no extension that writes attributes from the text (generic attributes) is on, and links and images keep only
/// http and https addresses (a <c>javascript:</c> link loses its address); links open with
/// <c>rel="noopener noreferrer"</c>.
/// </summary>
internal static class ArtifactMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .UseListExtras()
        .UseReferralLinks("noopener", "noreferrer")
        .DisableHtml()
        .Build();

    public static Html Render(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!ArtifactLinks.IsWeb(link.Url))
            {
                link.Url = string.Empty;
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (link.IsEmail || !ArtifactLinks.IsWeb(link.Url))
            {
                link.Url = string.Empty;
            }
        }

        // Markup written by Markdig from a document whose raw HTML was disabled and whose addresses were checked above:
        // what the text says is encoded by Markdig's renderer, as Html.Of does.
        return Html.Raw(Markdown.ToHtml(document, Pipeline));
    }
}

/// <summary>Which addresses an artifact may link to.</summary>
internal static class ArtifactLinks
{
    /// <summary>True for an absolute http or https address.</summary>
    public static bool IsWeb(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}

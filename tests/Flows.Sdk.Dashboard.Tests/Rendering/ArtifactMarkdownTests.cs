using Flows.Dashboard.Pages.Run;

namespace Flows.Dashboard.Tests.Rendering;

/// <summary>Markdown artifacts become HTML that can carry no markup, script or address of their own choosing.</summary>
public sealed class ArtifactMarkdownTests
{
    [TestCase("<script>alert(1)</script>", "<script")]
    [TestCase("<img src=x onerror=alert(1)>", "<img")]
    [TestCase("text <b onmouseover=alert(1)>bold</b>", "<b ")]
    [TestCase("[x](javascript:alert(1))", "javascript:")]
    [TestCase("[x](JaVaScRiPt:alert(1))", "avascript:")]
    [TestCase("<javascript:alert(1)>", "href=\"javascript:")]
    [TestCase("![i](javascript:alert(1))", "javascript:")]
    [TestCase("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:")]
    [TestCase("[x](vbscript:msgbox)", "vbscript:")]
    [TestCase("# Title {onclick=alert(1)}", "onclick=\"")]
    [TestCase("[x][r]\n\n[r]: javascript:alert(1)", "javascript:")]
    public void HostileMarkdown_RendersWithoutIt(string markdown, string forbidden)
    {
        var html = ArtifactMarkdown.Render(markdown).Value;

        Assert.That(html, Does.Not.Contain(forbidden).IgnoreCase, html);
    }

    [Test]
    public void Markdown_KeepsHeadingsTablesEmphasisAndWebLinks_WithNoopener()
    {
        var html = ArtifactMarkdown.Render("# Report\n\n**12** rows, see [docs](https://example.com/a?b=1&c=2).\n\n| a | b |\n| - | - |\n| 1 | 2 |\n").Value;

        Assert.That(html, Does.Contain("<h1").And.Contain("<strong>12</strong>").And.Contain("<td>1</td>"));
        Assert.That(html, Does.Contain("href=\"https://example.com/a?b=1&amp;c=2\"").And.Contain("rel=\"noopener noreferrer\""));
    }
}

using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Docs.Tests;

/// <summary>
/// Every C# block of README.md, docs/*.md and samples/*/README.md compiles, with the Flows generator running, as its
/// marker says (see <see cref="DocSnippet"/>). There is no skip list: a block that cannot compile on its own says
/// so in its document and is compiled inside the wrapper it states.
/// </summary>
public sealed class SnippetTests
{
    private const string FixedLine = "// Fixed";

    private static readonly string[] Kinds = ["shared", "library ", "expect ", "in "];

    public static IEnumerable<TestCaseData> Snippets() =>
        MarkdownSnippets.Documents()
            .SelectMany(MarkdownSnippets.Read)
            .Where(s => s.Library is null)
            .Select(s => new TestCaseData(s.File, s.Line).SetName($"Snippet_Compiles({s})"));

    [TestCaseSource(nameof(Snippets))]
    public void Snippet_Compiles(string document, int line)
    {
        var snippets = MarkdownSnippets.Read(document);
        var snippet = snippets.Single(s => s.Line == line);
        Assert.That(snippet.Marker is null || Kinds.Any(k => snippet.Marker == k || snippet.Marker.StartsWith(k, StringComparison.Ordinal)), Is.True,
            $"{snippet}: unknown snippet marker '{snippet.Marker}'; expected one of: shared, library NAME, expect FLOWSnnnn [in WRAPPER], in WRAPPER.");
        if (snippet.Wrapper is not null && snippet.ExpectedDiagnostic is null)
        {
            Assert.That(snippet.Code, Does.StartWith("// In ").Or.StartWith("// Inside "),
                $"{snippet} is partial: its first line tells the reader where it goes (\"// In a class that ...\"), as its marker tells the test.");
        }

        var shared = snippets.Where(s => s.IsShared && s != snippet).ToList();
        var libraries = snippets.Where(s => s.Library is not null).ToList();

        if (snippet.ExpectedDiagnostic is { } expected)
        {
            var lines = snippet.Code.Split('\n');
            var split = Array.FindIndex(lines, l => l.StartsWith(FixedLine, StringComparison.Ordinal));
            Assert.That(split, Is.GreaterThan(0), $"{snippet}: an 'expect' snippet shows the bad code, then a line starting '{FixedLine}' and the fixed code.");

            var bad = SnippetCompiler.Problems(
                snippet, string.Join('\n', lines[..split]), line, shared, libraries.Select(l => SnippetCompiler.Library(l, withGenerator: false)));
            Assert.That(bad.Select(p => p.Id).Distinct(), Is.EqualTo(new[] { expected }),
                $"{snippet}: the bad code should report {expected} and nothing else; it reports:\n{SnippetCompiler.Describe(bad)}");

            AssertCompiles(snippet, string.Join('\n', lines[split..]), line + split, shared, libraries);
        }
        else
        {
            AssertCompiles(snippet, snippet.Code, line, shared, libraries);
        }
    }

    [Test]
    public void Documents_AreFoundAndHaveSnippets()
    {
        var documents = MarkdownSnippets.Documents();

        Assert.That(documents, Does.Contain("README.md").And.Contain("docs/getting-started.md").And.Contain("samples/CivisMigration/README.md"));
        Assert.That(documents.SelectMany(MarkdownSnippets.Read).Count(), Is.GreaterThan(20));
    }

    private static void AssertCompiles(DocSnippet snippet, string code, int line, IEnumerable<DocSnippet> shared, IEnumerable<DocSnippet> libraries)
    {
        var problems = SnippetCompiler.Problems(snippet, code, line, shared, libraries.Select(l => SnippetCompiler.Library(l, withGenerator: true)));
        if (problems.Count > 0)
        {
            Assert.Fail($"{snippet} does not compile:\n{SnippetCompiler.Describe(problems)}");
        }
    }
}

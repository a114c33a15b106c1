using System.Text.RegularExpressions;
using Flows.Tests.Support;

namespace Flows.Sdk.Docs.Tests;

/// <summary>Finds the documents a newcomer reads and the C# blocks in them.</summary>
internal static partial class MarkdownSnippets
{
    /// <summary>The repository's root: the folder holding Flows.sln above the test's output folder.</summary>
    public static string RepoRoot => RepositoryRoot.Path;

    /// <summary>README.md, docs/*.md and samples/*/README.md, as paths relative to the repository root.</summary>
    public static IReadOnlyList<string> Documents()
    {
        var docs = new List<string> { "README.md" };
        docs.AddRange(Directory.GetFiles(Path.Combine(RepoRoot, "docs"), "*.md").Order(StringComparer.Ordinal).Select(Relative));
        docs.AddRange(Directory.GetDirectories(Path.Combine(RepoRoot, "samples")).Order(StringComparer.Ordinal)
            .Select(folder => Path.Combine(folder, "README.md")).Where(System.IO.File.Exists).Select(Relative));
        return docs;
    }

    /// <summary>Every <c>```csharp</c> block of a document, with its marker; throws on a marker that marks nothing.</summary>
    public static IReadOnlyList<DocSnippet> Read(string document)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(RepoRoot, document));
        var snippets = new List<DocSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = MarkerPattern().Match(lines[i]);
            if (marker.Success && (i + 1 >= lines.Length || !CSharpFence().IsMatch(lines[i + 1])))
            {
                throw new InvalidOperationException($"{document}:{i + 1}: a snippet marker must be the line just above a ```csharp fence.");
            }

            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var indent = fence.Groups["indent"].Value;
            var language = fence.Groups["lang"].Value;
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !ClosingFence().IsMatch(lines[i]); i++)
            {
                body.Add(lines[i].StartsWith(indent, StringComparison.Ordinal) ? lines[i][indent.Length..] : lines[i]);
            }

            if (language is "cs" or "c#" or "C#")
            {
                throw new InvalidOperationException($"{document}:{start + 1}: write ```csharp, so the block is compiled by the docs tests.");
            }

            if (language == "csharp")
            {
                var above = start > 0 ? MarkerPattern().Match(lines[start - 1]) : Match.Empty;
                snippets.Add(new DocSnippet(document, start + 2, string.Join('\n', body), above.Success ? above.Groups[1].Value.Trim() : null));
            }
        }

        return snippets;
    }

    private static string Relative(string path) => Path.GetRelativePath(RepoRoot, path).Replace('\\', '/');


    [GeneratedRegex(@"^\s*<!--\s*snippet:(.*?)-->\s*$")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"^(?<indent>\s*)```(?<lang>\S*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*```csharp\s*$")]
    private static partial Regex CSharpFence();

    [GeneratedRegex(@"^\s*```\s*$")]
    private static partial Regex ClosingFence();
}

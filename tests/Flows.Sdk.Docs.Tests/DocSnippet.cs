using System.Text.RegularExpressions;

namespace Flows.Sdk.Docs.Tests;

/// <summary>
/// One fenced <c>```csharp</c> block of a document, with the marker (an HTML comment on the line just above its
/// fence) that says how it is compiled:
/// <list type="bullet">
/// <item>no marker: a complete C# file;</item>
/// <item><c>&lt;!-- snippet: shared --&gt;</c>: a complete file that every other snippet of the document is compiled with
/// (the types the examples assume, a class later examples call);</item>
/// <item><c>&lt;!-- snippet: in WRAPPER --&gt;</c>: deliberately partial, compiled where <c>…</c> stands in the C# text
/// WRAPPER (members inside a class, statements inside a method); its first line is a comment that tells the reader
/// where it goes (<c>// In a class that ...</c>), since the marker does not show on a rendered page;</item>
/// <item><c>&lt;!-- snippet: expect FLOWS1001 [in WRAPPER] --&gt;</c>: a "Bad" / "Fixed" pair split at the line
/// starting <c>// Fixed</c>: the part before it must report that diagnostic and nothing else, the part after it
/// must compile cleanly;</item>
/// <item><c>&lt;!-- snippet: library NAME --&gt;</c>: a complete file compiled into an assembly of that name, which
/// the document's <c>expect</c> snippets reference: built without the Flows generator for their "Bad" part and
/// with it for their "Fixed" part (FLOWS1011 is about how the referenced assembly was built).</item>
/// </list>
/// </summary>
internal sealed partial record DocSnippet(string File, int Line, string Code, string? Marker)
{
    /// <summary>The placeholder a wrapper uses for the snippet.</summary>
    public const string Placeholder = "…";

    public bool IsShared => Marker == "shared";

    public string? Library => Marker is { } m && m.StartsWith("library ", StringComparison.Ordinal) ? m["library ".Length..].Trim() : null;

    /// <summary>The diagnostic the "Bad" half must report, for an <c>expect</c> snippet.</summary>
    public string? ExpectedDiagnostic => Marker is { } m && ExpectPattern().Match(m) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>The wrapper text with <see cref="Placeholder"/>, or null for a complete file.</summary>
    public string? Wrapper
    {
        get
        {
            if (Marker is not { } m)
            {
                return null;
            }

            var at = m.IndexOf("in ", StringComparison.Ordinal);
            return m.StartsWith("in ", StringComparison.Ordinal) || (at > 0 && m[at - 1] == ' ') ? m[(at + 3)..].Trim() : null;
        }
    }

    public override string ToString() => $"{File}:{Line}";

    [GeneratedRegex(@"^expect (FLOWS\d{4})\b")]
    private static partial Regex ExpectPattern();
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators;

/// <summary>
/// A stable 64-bit FNV-1a hash of a method declaration's tokens (trivia and attributes excluded), so editing the
/// body or signature changes it while reformatting, comments and option changes do not. Cache keys include it.
/// </summary>
internal static class SourceHash
{
    private const ulong OffsetBasis = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static string Of(MethodDeclarationSyntax declaration)
    {
        var start = declaration.AttributeLists.Count > 0
            ? declaration.AttributeLists[declaration.AttributeLists.Count - 1].Span.End
            : declaration.SpanStart;

        var hash = OffsetBasis;
        foreach (var token in declaration.DescendantTokens())
        {
            if (token.SpanStart < start)
            {
                continue;
            }

            hash = Add(hash, token.Text);
            hash = Add(hash, " "); // keeps "a b" and "ab" apart
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ulong Add(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = unchecked((hash ^ (byte)c) * Prime);
            hash = unchecked((hash ^ (byte)(c >> 8)) * Prime);
        }

        return hash;
    }
}

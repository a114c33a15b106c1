using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Flows.Sdk.Generators.Model;

/// <summary>
/// A source location without a reference to its syntax tree or compilation, so models holding it can be cached.
/// Roslyn maps it back to the tree when the diagnostic is reported, which keeps <c>#pragma warning disable</c> working.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true, SourceTree: { } tree }
            ? new LocationInfo(tree.FilePath, location.SourceSpan, location.GetLineSpan().Span)
            : null;

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);
}

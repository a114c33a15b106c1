using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators.Model;

/// <summary>
/// Where a diagnostic points. It keeps the source <see cref="Microsoft.CodeAnalysis.Location"/> (a syntax tree and a
/// span, no compilation): a location rebuilt from a file path is an external location, and the compiler does not
/// apply <c>#pragma warning disable</c> to those. Unchanged trees keep their identity between runs, so models
/// holding it still compare equal when an unrelated file is edited.
/// </summary>
internal sealed record LocationInfo(Location Location)
{
    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } ? new LocationInfo(location) : null;

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public Location ToLocation() => Location;
}

namespace Flows.Sdk.Generators.Model;

/// <summary>A method admitted to the catalog, with the member name it gets in <c>FlowsCatalog</c>.</summary>
internal sealed record CatalogEntry(string UniqueName, RunMethodSpec Method);

/// <summary>All methods of the assembly that can be generated, and the diagnostics that need the whole set (duplicate names).</summary>
internal sealed record CatalogSpec(ImmutableEquatableArray<CatalogEntry> Entries, ImmutableEquatableArray<DiagnosticInfo> Diagnostics);

using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators.Model;

/// <summary>A diagnostic kept in a model and reported from the pipeline's output.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, ImmutableEquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs) =>
        new(descriptor, location, messageArgs.ToImmutableEquatableArray());

    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArgs.Cast<object>().ToArray());
}

internal static class DiagnosticInfoExtensions
{
    public static void Report(this SourceProductionContext context, ImmutableEquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }

    public static bool HasErrors(this ImmutableEquatableArray<DiagnosticInfo> diagnostics) =>
        diagnostics.Any(d => d.IsError);
}

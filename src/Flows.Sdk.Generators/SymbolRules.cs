using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flows.Sdk.Generators;

/// <summary>Small questions about symbols shared by the parsers.</summary>
internal static class SymbolRules
{
    /// <summary>True for a non-generic type <paramref name="ns"/>.<paramref name="name"/>.</summary>
    public static bool Is(ITypeSymbol type, string ns, string name, int arity = 0) =>
        type is INamedTypeSymbol named
        && named.Name == name
        && named.Arity == arity
        && named.ContainingType is null
        && named.ContainingNamespace.ToDisplayString() == ns;

    /// <summary>
    /// Generated code lives in the same assembly, so the member and every type around it must be internal,
    /// public or protected internal.
    /// </summary>
    public static bool IsReachableFromAssembly(ISymbol symbol)
    {
        for (ISymbol? current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The member and every type around it are public: other assemblies can call it.</summary>
    public static bool IsPublic(ISymbol symbol)
    {
        for (ISymbol? current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The [Task] or [Flow] on a method, if any.</summary>
    public static Model.RunKindSpec? RunKindOf(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is { } type && type.ContainingNamespace.ToDisplayString() == ContractNames.Authoring)
            {
                if (type.Name == "TaskAttribute")
                {
                    return Model.RunKindSpec.Task;
                }

                if (type.Name == "FlowAttribute")
                {
                    return Model.RunKindSpec.Flow;
                }
            }
        }

        return null;
    }

    /// <summary>A name usable as a C# identifier: keywords get an <c>@</c>.</summary>
    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}

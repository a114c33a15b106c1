using System.Collections.Generic;
using System.Linq;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators;

/// <summary>Finds the method a <c>CacheKey</c> option names and checks its shape (FLOWS1010).</summary>
internal static class CacheKeyResolver
{
    public static CacheKeySpec? Resolve(IMethodSymbol task, string? keyName, LocationInfo? location, string methodDisplay, List<DiagnosticInfo> diagnostics)
    {
        if (keyName is null)
        {
            return null;
        }

        var inputs = task.Parameters.Where(p => !SymbolRules.Is(p.Type, "System.Threading", "CancellationToken")).ToList();
        var candidates = HookResolver.Candidates(task.ContainingType, keyName).ToList();
        if (candidates.Count == 0)
        {
            Report($"'{task.ContainingType.Name}' has no method named '{keyName}'");
            return null;
        }

        foreach (var candidate in candidates)
        {
            if (Fits(candidate, task, inputs))
            {
                return new CacheKeySpec(SymbolRules.Identifier(candidate.Name), candidate.IsStatic);
            }
        }

        Report($"'{keyName}' has the wrong shape");
        return null;

        void Report(string problem)
        {
            var expected = string.Join(", ", inputs.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + " " + p.Name));
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidCacheKey, location, keyName, methodDisplay, problem, expected.Length == 0 ? "none" : expected));
        }
    }

    private static bool Fits(IMethodSymbol key, IMethodSymbol task, List<IParameterSymbol> inputs) =>
        key.MethodKind == MethodKind.Ordinary
        && !key.IsGenericMethod
        && SymbolRules.IsReachableFromAssembly(key)
        && (key.IsStatic || !task.IsStatic)
        && key.ReturnType.SpecialType == SpecialType.System_String
        && !key.ReturnsByRef
        && key.Parameters.Length == inputs.Count
        && key.Parameters.Zip(inputs, (k, i) => k.RefKind == RefKind.None && SymbolEqualityComparer.Default.Equals(k.Type, i.Type)).All(same => same);
}

using System.Collections.Generic;
using System.Linq;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators;

/// <summary>Finds the method an <c>OnCompletion</c> / <c>OnFailure</c> / <c>OnCancellation</c> / <c>OnCrashed</c> option names and checks its shape (FLOWS1003).</summary>
internal static class HookResolver
{
    public static HookSpec? Resolve(IMethodSymbol run, string property, string? hookName, LocationInfo? location, string methodDisplay, List<DiagnosticInfo> diagnostics)
    {
        if (hookName is null)
        {
            return null;
        }

        var candidates = Candidates(run.ContainingType, hookName).ToList();
        if (candidates.Count == 0)
        {
            Report($"'{run.ContainingType.Name}' has no method named '{hookName}'");
            return null;
        }

        foreach (var candidate in candidates)
        {
            if (ToSpec(candidate, run) is { } hook)
            {
                return hook;
            }
        }

        Report($"'{hookName}' has the wrong shape");
        return null;

        void Report(string problem) => diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHook, location, property, hookName, methodDisplay, problem));
    }

    /// <summary>Methods named <paramref name="name"/> on the type and its base types, nearest first.</summary>
    public static IEnumerable<IMethodSymbol> Candidates(INamedTypeSymbol? type, string name)
    {
        for (; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers(name))
            {
                if (member is IMethodSymbol method)
                {
                    yield return method;
                }
            }
        }
    }

    private static HookSpec? ToSpec(IMethodSymbol hook, IMethodSymbol run)
    {
        if (hook.MethodKind != MethodKind.Ordinary || hook.IsGenericMethod || !SymbolRules.IsReachableFromAssembly(hook)
            || (!hook.IsStatic && run.IsStatic))
        {
            return null;
        }

        var takesRecord = hook.Parameters.Length == 1;
        if (hook.Parameters.Length > 1
            || (takesRecord && (hook.Parameters[0].RefKind != RefKind.None || !SymbolRules.Is(hook.Parameters[0].Type, ContractNames.Runs, "RunRecord"))))
        {
            return null;
        }

        HookReturn? returns = hook.ReturnsVoid ? HookReturn.Void
            : SymbolRules.Is(hook.ReturnType, "System.Threading.Tasks", "Task") ? HookReturn.Task
            : SymbolRules.Is(hook.ReturnType, "System.Threading.Tasks", "ValueTask") ? HookReturn.ValueTask
            : null;

        return returns is { } r && !hook.ReturnsByRef && !hook.ReturnsByRefReadonly
            ? new HookSpec(SymbolRules.Identifier(hook.Name), hook.IsStatic, takesRecord, r)
            : null;
    }
}

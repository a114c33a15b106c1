using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flows.Sdk.Generators.Model;

namespace Flows.Sdk.Generators;

/// <summary>
/// Decides which methods enter the assembly's catalog: those without errors and with a name no other method of
/// the same kind uses (FLOWS1005). Gives each a unique member name for <c>FlowsCatalog</c>.
/// </summary>
internal static class CatalogBuilder
{
    public static CatalogSpec Build(ImmutableArray<MethodParseResult> results)
    {
        var methods = results
            .Select(r => r.Method)
            .OfType<RunMethodSpec>()
            .OrderBy(m => m.Key, System.StringComparer.Ordinal)
            .ToList();

        var diagnostics = new List<DiagnosticInfo>();
        var duplicates = new HashSet<RunMethodSpec>();
        foreach (var group in methods.GroupBy(m => (m.Kind, m.RunName)).Where(g => g.Count() > 1))
        {
            var names = string.Join(", ", group.Select(m => m.TypeNameChain + "." + m.MethodName));
            foreach (var method in group)
            {
                duplicates.Add(method);
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateName, method.Location, method.KindName, method.RunName, names));
            }
        }

        var used = new HashSet<string>(System.StringComparer.Ordinal);
        var entries = new List<CatalogEntry>(methods.Count);
        foreach (var method in methods.Where(m => !duplicates.Contains(m)))
        {
            var seed = method.TypeNameChain + "_" + method.MethodName.TrimStart('@');
            var unique = seed;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = seed + "_" + i;
            }

            entries.Add(new CatalogEntry(unique, method));
        }

        return new CatalogSpec(entries.ToImmutableEquatableArray(), diagnostics.ToImmutableEquatableArray());
    }
}

using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using Flows.Runs;

namespace Flows.CompilerServices;

/// <summary>
/// Every descriptor of every loaded assembly. Each assembly's generated catalog registers its descriptors from a
/// module initializer, so a flow can be found by name as soon as its assembly is loaded.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RunCatalog
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyList<RunDescriptor>> ByAssembly = new();

    /// <summary>Registers one assembly's descriptors. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(Assembly assembly, IReadOnlyList<RunDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(descriptors);
        ByAssembly[assembly] = descriptors;
    }

    /// <summary>All registered descriptors, flows and tasks.</summary>
    public static IReadOnlyList<RunDescriptor> All => [.. ByAssembly.Values.SelectMany(d => d)];

    /// <summary>All registered flows, ordered by name.</summary>
    public static IReadOnlyList<RunDescriptor> Flows =>
        [.. All.Where(d => d.Kind == RunKind.Flow).OrderBy(d => d.Name, StringComparer.Ordinal)];

    /// <summary>Finds a flow by its name, or returns null.</summary>
    public static RunDescriptor? FindFlow(string name) =>
        ByAssembly.Values.SelectMany(d => d).FirstOrDefault(d => d.Kind == RunKind.Flow && string.Equals(d.Name, name, StringComparison.Ordinal));
}

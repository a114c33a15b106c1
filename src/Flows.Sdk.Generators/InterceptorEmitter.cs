using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flows.Sdk.Generators.Model;

namespace Flows.Sdk.Generators;

/// <summary>
/// Writes <c>Flows.Interceptors.g.cs</c>: one interceptor per called task or flow, carrying an
/// <c>[InterceptsLocation]</c> for each of its call sites, that hands the call to <c>RunInvoker</c> (a method of this
/// assembly) or to the generated entry point of the assembly that declares it (a method of a referenced assembly).
/// </summary>
internal static class InterceptorEmitter
{
    public const string FileName = "Flows.Interceptors.g.cs";

    private const string Runtime = ContractNames.GlobalCompilerServices;

    /// <summary>The source, or null when no catalogued method is called.</summary>
    public static string? Emit(CatalogSpec catalog, ImmutableArray<CallSiteSpec> callSites)
    {
        var callsByMethod = new Dictionary<string, List<InterceptedCall>>(System.StringComparer.Ordinal);
        var forwarded = new SortedDictionary<string, (ForwardSpec Target, List<InterceptedCall> Calls)>(System.StringComparer.Ordinal);
        foreach (var site in callSites)
        {
            if (site.Call is null)
            {
                continue;
            }

            if (site.Forward is { } forward)
            {
                if (!forwarded.TryGetValue(forward.EntryPoint, out var group))
                {
                    forwarded[forward.EntryPoint] = group = (forward, []);
                }

                group.Calls.Add(site.Call);
                continue;
            }

            if (!callsByMethod.TryGetValue(site.MethodKey, out var calls))
            {
                callsByMethod[site.MethodKey] = calls = [];
            }

            calls.Add(site.Call);
        }

        var intercepted = catalog.Entries.Where(e => callsByMethod.ContainsKey(e.Method.Key)).ToList();
        if (intercepted.Count == 0 && forwarded.Count == 0)
        {
            return null;
        }

        var writer = new SourceWriter().Header();
        writer.Line("namespace System.Runtime.CompilerServices").Open();
        writer.Line("[global::System.AttributeUsage(global::System.AttributeTargets.Method, AllowMultiple = true)]");
        writer.Block("file sealed class InterceptsLocationAttribute(int version, string data) : global::System.Attribute");
        writer.Line("public int Version { get; } = version;");
        writer.Line("public string Data { get; } = data;");
        writer.Close().Close().Line();

        writer.Line("namespace Flows.Generated").Open();
        writer.Line("/// <summary>Routes every call of a task or flow in this assembly through the Flows runtime.</summary>");
        writer.Block("file static class FlowsInterceptors");
        var used = new HashSet<string>(System.StringComparer.Ordinal);
        var first = true;
        foreach (var entry in intercepted)
        {
            Separate(writer, ref first);
            used.Add(entry.UniqueName);
            WriteInterceptor(writer, entry, callsByMethod[entry.Method.Key]);
        }

        foreach (var (target, calls) in forwarded.Values)
        {
            Separate(writer, ref first);
            WriteForwardingInterceptor(writer, target, calls, UniqueName(target.EntryName, used));
        }

        writer.Close().Close();
        return writer.ToString();
    }

    /// <summary>
    /// The parameter list of a method that stands in for a task or flow: an instance method's receiver first (as
    /// <c>this</c> in an interceptor, plain in an entry point), then its parameters, an extension method's first one
    /// with <c>this</c> in an interceptor only.
    /// </summary>
    public static string ParameterList(string containingType, bool isStatic, bool isExtension, IEnumerable<ParameterSpec> parameters, bool asInterceptor)
    {
        var thisModifier = asInterceptor ? "this " : string.Empty;
        var list = parameters.Select((p, i) => (i == 0 && isExtension ? thisModifier : string.Empty) + $"{p.Type} {p.Name}");
        if (!isStatic)
        {
            list = new[] { $"{thisModifier}{containingType} @this" }.Concat(list);
        }

        return string.Join(", ", list);
    }

    /// <summary>The arguments that pass a stand-in's parameters on: the receiver first for instance methods.</summary>
    public static string ArgumentList(bool isStatic, IEnumerable<ParameterSpec> parameters)
    {
        var arguments = parameters.Select(p => p.Name);
        return string.Join(", ", isStatic ? arguments : new[] { "@this" }.Concat(arguments));
    }

    /// <summary>
    /// The expression that runs a catalogued method through <c>RunInvoker</c>, given the parameters of
    /// <see cref="ParameterList"/>: the body of its interceptor and of its entry point.
    /// </summary>
    public static string Body(CatalogEntry entry)
    {
        var method = entry.Method;
        var token = method.Parameters.FirstOrDefault(p => p.IsCancellationToken)?.Name ?? "default";
        var invokeArguments = $"global::Flows.Generated.FlowsCatalog.{entry.UniqueName}, new global::Flows.Generated.FlowsCatalog.{entry.UniqueName}_Args({ArgumentList(method.IsStatic, method.Parameters)}), {token}";
        var invokeAsync = $"{Runtime}.RunInvoker.InvokeAsync({invokeArguments})";
        return method.Shape switch
        {
            ReturnShape.Void or ReturnShape.Value => $"{Runtime}.RunInvoker.Invoke({invokeArguments})",
            ReturnShape.TaskOfT => $"{Runtime}.RunInvoker.InvokeTaskAsync({invokeArguments})",
            ReturnShape.ValueTaskOfT => invokeAsync,
            ReturnShape.Task => $"{Runtime}.Invocation.ToTask({invokeAsync})",
            _ => $"{Runtime}.Invocation.ToValueTask({invokeAsync})",
        };
    }

    private static void WriteInterceptor(SourceWriter writer, CatalogEntry entry, List<InterceptedCall> calls)
    {
        var method = entry.Method;
        writer.Line($"/// <summary>Runs <see cref=\"{method.Cref}\"/> as a {method.KindName} run.</summary>");
        WriteLocations(writer, calls);
        writer.Line($"internal static {method.ReturnType} {entry.UniqueName}({ParameterList(method.ContainingType, method.IsStatic, method.IsExtension, method.Parameters, asInterceptor: true)})");
        writer.Indent().Line($"=> {Body(entry)};").Unindent();
    }

    private static void WriteForwardingInterceptor(SourceWriter writer, ForwardSpec target, List<InterceptedCall> calls, string name)
    {
        writer.Line($"/// <summary>Runs <see cref=\"{target.Cref}\"/> as a {target.KindName} run, through the entry point of the assembly that declares it.</summary>");
        WriteLocations(writer, calls);
        writer.Line($"internal static {target.ReturnType} {name}({ParameterList(target.ContainingType, target.IsStatic, target.IsExtension, target.Parameters, asInterceptor: true)})");
        writer.Indent().Line($"=> {target.EntryPoint}({ArgumentList(target.IsStatic, target.Parameters)});").Unindent();
    }

    private static void WriteLocations(SourceWriter writer, List<InterceptedCall> calls)
    {
        foreach (var call in calls)
        {
            writer.Line($"[global::System.Runtime.CompilerServices.InterceptsLocation({call.Version}, {CSharpLiterals.String(call.Data)})] // {call.DisplayLocation}");
        }
    }

    private static void Separate(SourceWriter writer, ref bool first)
    {
        if (!first)
        {
            writer.Line();
        }

        first = false;
    }

    private static string UniqueName(string seed, HashSet<string> used)
    {
        var unique = seed;
        for (var i = 2; !used.Add(unique); i++)
        {
            unique = seed + "_" + i;
        }

        return unique;
    }
}

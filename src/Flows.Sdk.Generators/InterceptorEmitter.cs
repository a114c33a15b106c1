using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Flows.Sdk.Generators.Model;

namespace Flows.Sdk.Generators;

/// <summary>
/// Writes <c>Flows.Interceptors.g.cs</c>: one interceptor per called task or flow, carrying an
/// <c>[InterceptsLocation]</c> for each of its call sites, that hands the call to <c>RunInvoker</c>.
/// </summary>
internal static class InterceptorEmitter
{
    public const string FileName = "Flows.Interceptors.g.cs";

    private const string Runtime = "global::Flows.Runtime";

    /// <summary>The source, or null when no catalogued method is called.</summary>
    public static string? Emit(CatalogSpec catalog, ImmutableArray<CallSiteSpec> callSites)
    {
        var callsByMethod = new Dictionary<string, List<InterceptedCall>>(System.StringComparer.Ordinal);
        foreach (var site in callSites)
        {
            if (site.Call is null)
            {
                continue;
            }

            if (!callsByMethod.TryGetValue(site.MethodKey, out var calls))
            {
                callsByMethod[site.MethodKey] = calls = [];
            }

            calls.Add(site.Call);
        }

        var intercepted = catalog.Entries.Where(e => callsByMethod.ContainsKey(e.Method.Key)).ToList();
        if (intercepted.Count == 0)
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
        for (var i = 0; i < intercepted.Count; i++)
        {
            if (i > 0)
            {
                writer.Line();
            }

            WriteInterceptor(writer, intercepted[i], callsByMethod[intercepted[i].Method.Key]);
        }

        writer.Close().Close();
        return writer.ToString();
    }

    private static void WriteInterceptor(SourceWriter writer, CatalogEntry entry, List<InterceptedCall> calls)
    {
        var method = entry.Method;
        writer.Line($"/// <summary>Runs <see cref=\"{method.Cref}\"/> as a {method.KindName} run.</summary>");
        foreach (var call in calls)
        {
            writer.Line($"[global::System.Runtime.CompilerServices.InterceptsLocation({call.Version}, {CSharpLiterals.String(call.Data)})] // {call.DisplayLocation}");
        }

        var parameters = method.Parameters.Select((p, i) => (i == 0 && method.IsExtension ? "this " : string.Empty) + $"{p.Type} {p.Name}");
        if (!method.IsStatic)
        {
            parameters = new[] { $"this {method.ContainingType} @this" }.Concat(parameters);
        }

        writer.Line($"internal static {method.ReturnType} {entry.UniqueName}({string.Join(", ", parameters)})");
        writer.Indent().Line($"=> {Body(entry)};").Unindent();
    }

    private static string Body(CatalogEntry entry)
    {
        var method = entry.Method;
        var arguments = method.Parameters.Select(p => p.Name);
        if (!method.IsStatic)
        {
            arguments = new[] { "@this" }.Concat(arguments);
        }

        var token = method.Parameters.FirstOrDefault(p => p.IsCancellationToken)?.Name ?? "default";
        var invokeArguments = $"global::Flows.Generated.FlowsCatalog.{entry.UniqueName}, new global::Flows.Generated.FlowsCatalog.{entry.UniqueName}_Args({string.Join(", ", arguments)}), {token}";
        var invokeAsync = $"{Runtime}.RunInvoker.InvokeAsync({invokeArguments})";
        return method.Shape switch
        {
            ReturnShape.Void or ReturnShape.Value => $"{Runtime}.RunInvoker.Invoke({invokeArguments})",
            ReturnShape.TaskOfT => invokeAsync + ".AsTask()",
            ReturnShape.ValueTaskOfT => invokeAsync,
            ReturnShape.Task => $"{Runtime}.Invocation.ToTask({invokeAsync})",
            _ => $"{Runtime}.Invocation.ToValueTask({invokeAsync})",
        };
    }
}

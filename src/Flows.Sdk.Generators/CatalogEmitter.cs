using System.Linq;
using Flows.Sdk.Generators.Model;

namespace Flows.Sdk.Generators;

/// <summary>
/// Writes <c>Flows.Catalog.g.cs</c>: per method an argument struct and a typed <c>RunDescriptor</c> (options,
/// parameter schema, invoker, binder, hooks), the <c>All</c> list, and a module initializer that registers it.
/// </summary>
internal static class CatalogEmitter
{
    public const string FileName = "Flows.Catalog.g.cs";

    private const string Runtime = ContractNames.GlobalCompilerServices;

    public static string Emit(CatalogSpec catalog)
    {
        var writer = new SourceWriter().Header();
        writer.Line("namespace Flows.Generated").Open();
        writer.Line("/// <summary>The tasks and flows of this assembly, registered with the Flows runtime when the assembly loads.</summary>");
        writer.Block("internal static partial class FlowsCatalog");

        foreach (var entry in catalog.Entries)
        {
            WriteArgs(writer, entry);
            writer.Line();
            WriteDescriptor(writer, entry);
            writer.Line();
        }

        writer.Line("/// <summary>Every descriptor above; declared last so they are initialised first.</summary>");
        writer.Line($"internal static readonly {Runtime}.RunDescriptor[] All =").Open("[");
        foreach (var entry in catalog.Entries)
        {
            writer.Line(entry.UniqueName + ",");
        }

        writer.Close("];").Line();
        writer.Line("/// <summary>Registers <see cref=\"All\"/> with the runtime when the module loads.</summary>");
        writer.Line("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        writer.Line($"internal static void Register() => {Runtime}.RunCatalog.Register(typeof(FlowsCatalog).Assembly, All);");
        writer.Close().Close();
        return writer.ToString();
    }

    private static void WriteArgs(SourceWriter writer, CatalogEntry entry)
    {
        var method = entry.Method;
        writer.Line($"/// <summary>The arguments of a call of <see cref=\"{method.Cref}\"/>.</summary>");
        writer.Block($"internal readonly struct {entry.UniqueName}_Args");
        if (!method.IsStatic)
        {
            writer.Line($"public readonly {method.ContainingType} @this;");
        }

        foreach (var parameter in method.Parameters)
        {
            writer.Line($"public readonly {parameter.Type} {parameter.Name};");
        }

        writer.Line();
        var constructorParameters = (method.IsStatic ? Enumerable.Empty<string>() : [$"{method.ContainingType} @this"])
            .Concat(method.Parameters.Select(p => $"{p.Type} {p.Name}"));
        writer.Block($"public {entry.UniqueName}_Args({string.Join(", ", constructorParameters)})");
        if (!method.IsStatic)
        {
            writer.Line("this.@this = @this;");
        }

        foreach (var parameter in method.Parameters)
        {
            writer.Line($"this.{parameter.Name} = {parameter.Name};");
        }

        writer.Close().Close();
    }

    private static void WriteDescriptor(SourceWriter writer, CatalogEntry entry)
    {
        var method = entry.Method;
        var kind = method.Kind == RunKindSpec.Flow ? "Flow" : "Task";
        writer.Line($"/// <summary>The {method.KindName} <c>{Xml(method.RunName)}</c>: <see cref=\"{method.Cref}\"/>.</summary>");
        writer.Line($"internal static readonly {Runtime}.RunDescriptor<{entry.UniqueName}_Args, {method.ResultType}> {entry.UniqueName} = new(").Indent();
        writer.Line($"{ContractNames.GlobalRuns}.RunKind.{kind},");
        writer.Line($"new {Runtime}.RunOptions").Open();
        foreach (var option in method.Options)
        {
            writer.Line($"{option.Property} = {option.Value},");
        }

        writer.Close("},");
        writer.Line($"typeof({method.ContainingType}),");
        writer.Line($"{CSharpLiterals.String(method.MethodName.TrimStart('@'))},");
        writer.Line($"\"{method.SourceHash}\")");
        writer.Unindent().Open();

        WriteParameters(writer, method);
        var call = Call(method);
        writer.Line(method.Shape switch
        {
            ReturnShape.Void => $"Invoke = static (a, ct) => {{ {call}; return default; }},",
            ReturnShape.Value => $"Invoke = static (a, ct) => {call},",
            ReturnShape.TaskOfT => $"InvokeAsync = static (a, ct) => new global::System.Threading.Tasks.ValueTask<{method.ResultType}>({call}),",
            ReturnShape.ValueTaskOfT => $"InvokeAsync = static (a, ct) => {call},",
            ReturnShape.Task => $"InvokeAsync = static (a, ct) => {Runtime}.Invocation.FromTask({call}),",
            _ => $"InvokeAsync = static (a, ct) => {Runtime}.Invocation.FromValueTask({call}),",
        });

        WriteInjectSecrets(writer, entry);
        if (method.Kind == RunKindSpec.Flow)
        {
            WriteBind(writer, entry);
        }

        // Flows record their parameters; tasks that cache hash theirs into the cache key.
        if (method.Kind == RunKindSpec.Flow || method.Caches)
        {
            WriteParameterWriter(writer, method);
        }

        if (method.CacheKey is { } cacheKey)
        {
            var receiver = cacheKey.IsStatic ? method.ContainingType : "a.@this";
            var arguments = method.Parameters.Where(p => !p.IsCancellationToken).Select(p => "a." + p.Name);
            writer.Line($"CacheKey = static a => {receiver}.{cacheKey.MethodName}({string.Join(", ", arguments)}),");
        }

        WriteHook(writer, "OnCompletion", method, method.OnCompletion);
        WriteHook(writer, "OnFailure", method, method.OnFailure);
        WriteHook(writer, "OnCancellation", method, method.OnCancellation);
        WriteHook(writer, "OnCrashed", method, method.OnCrashed);
        writer.Close("};");
    }

    private static void WriteParameters(SourceWriter writer, RunMethodSpec method)
    {
        if (method.Parameters.Count == 0)
        {
            return;
        }

        writer.Line("Parameters =").Open("[");
        foreach (var p in method.Parameters)
        {
            writer.Line($"new {Runtime}.ParameterDescriptor({CSharpLiterals.String(p.MetadataName)}, typeof({p.TypeOfType}), {CSharpLiterals.String(p.TypeDisplay)}, "
                + $"HasDefault: {Bool(p.HasDefault)}, SecretName: {CSharpLiterals.String(p.SecretName)}, IsCancellationToken: {Bool(p.IsCancellationToken)}),");
        }

        writer.Close("],");
    }

    private static void WriteBind(SourceWriter writer, CatalogEntry entry)
    {
        var arguments = Arguments(entry, "b.Instance<" + entry.Method.ContainingType + ">()", p =>
            p.IsCancellationToken ? "b.CancellationToken"
            : p.DefaultValue is { } value ? $"b.Optional<{p.Type}>({CSharpLiterals.String(p.MetadataName)}, {value})"
            : $"b.Required<{p.Type}>({CSharpLiterals.String(p.MetadataName)})");
        writer.Line($"Bind = static b => new {entry.UniqueName}_Args({arguments}),");
    }

    /// <summary>A copy of the arguments with each [Secret] parameter resolved (or kept, when the caller gave a value).</summary>
    private static void WriteInjectSecrets(SourceWriter writer, CatalogEntry entry)
    {
        if (!entry.Method.Parameters.Any(p => p.SecretName is not null))
        {
            return;
        }

        var arguments = Arguments(entry, "a.@this", p => p.SecretName is null
            ? "a." + p.Name
            : $"await s.ResolveAsync<{p.Type}>({CSharpLiterals.String(p.MetadataName)}, {CSharpLiterals.String(p.SecretName)}, a.{p.Name}, {p.DefaultValue ?? "default"}).ConfigureAwait(false)");
        writer.Line($"InjectSecrets = static async (a, s) => new {entry.UniqueName}_Args({arguments}),");
    }

    /// <summary>The argument list of the args struct's constructor: the instance first for instance methods, then one value per parameter.</summary>
    private static string Arguments(CatalogEntry entry, string instance, System.Func<ParameterSpec, string> value)
    {
        var values = entry.Method.Parameters.Select(value);
        return string.Join(", ", entry.Method.IsStatic ? values : new[] { instance }.Concat(values));
    }

    private static void WriteParameterWriter(SourceWriter writer, RunMethodSpec method)
    {
        writer.Line("WriteParameters = static (a, w) =>").Open();
        foreach (var p in method.Parameters.Where(p => !p.IsCancellationToken))
        {
            var name = CSharpLiterals.String(p.MetadataName);
            writer.Line(p.SecretName is null ? $"w.Add({name}, a.{p.Name});" : $"w.AddSecret({name});");
        }

        writer.Close("},");
    }

    private static void WriteHook(SourceWriter writer, string property, RunMethodSpec method, HookSpec? hook)
    {
        if (hook is null)
        {
            return;
        }

        var call = $"{(hook.IsStatic ? method.ContainingType : "a.@this")}.{hook.MethodName}({(hook.TakesRunRecord ? "run" : string.Empty)})";
        writer.Line(hook.Return switch
        {
            HookReturn.Void => $"{property} = static (a, run) => {{ {call}; return default; }},",
            HookReturn.Task => $"{property} = static (a, run) => {Runtime}.Invocation.Hook({call}),",
            _ => $"{property} = static (a, run) => {call},",
        });
    }

    /// <summary>The call of the user's method from the invoker, with the run's token in place of its CancellationToken.</summary>
    private static string Call(RunMethodSpec method)
    {
        var receiver = method.IsStatic ? method.ContainingType : "a.@this";
        var arguments = method.Parameters.Select(p => p.IsCancellationToken ? "ct" : "a." + p.Name);
        return $"{receiver}.{method.MethodName}({string.Join(", ", arguments)})";
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

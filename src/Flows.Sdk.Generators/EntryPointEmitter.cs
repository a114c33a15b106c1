using System.Linq;
using System.Text;
using Flows.Sdk.Generators.Model;

namespace Flows.Sdk.Generators;

/// <summary>
/// Writes <c>Flows.EntryPoints.g.cs</c>: per catalogued method a static method that runs it through
/// <c>RunInvoker</c>, marked with <c>[RunEntryPoint]</c> and the method's documentation id. Interceptors generated
/// in assemblies that reference this one forward their calls of the method here, since the descriptors they would
/// need are internal to this assembly. Entry points of public methods are public; the others are internal, for
/// assemblies this one grants InternalsVisibleTo.
/// </summary>
internal static class EntryPointEmitter
{
    public const string FileName = "Flows.EntryPoints.g.cs";

    public const string Namespace = "Flows.Generated";

    private const string Hidden = "[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]";

    /// <summary>
    /// The entry point class of an assembly: its name with every character that cannot be in an identifier made
    /// <c>_</c>, then a hash of the exact name, so that two assemblies' classes never share a name (<c>A.B</c> and
    /// <c>A_B</c> would otherwise). Consumers compute it from the referenced assembly's name to find the class.
    /// </summary>
    public static string TypeName(string assemblyName)
    {
        var name = new StringBuilder("FlowsEntryPoints_", assemblyName.Length + 26);
        foreach (var c in assemblyName)
        {
            name.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? c : '_');
        }

        return name.Append('_').Append(Hash(assemblyName)).ToString();
    }

    public static string Emit(CatalogSpec catalog, string assemblyName)
    {
        var anyPublic = catalog.Entries.Any(e => e.Method.IsPublic);
        var writer = new SourceWriter().Header();
        writer.Line($"namespace {Namespace}").Open();
        writer.Line("/// <summary>Runs the tasks and flows of this assembly through the Flows runtime when another assembly calls them.</summary>");
        writer.Line(Hidden);
        writer.Block($"{(anyPublic ? "public" : "internal")} static class {TypeName(assemblyName)}");
        for (var i = 0; i < catalog.Entries.Count; i++)
        {
            if (i > 0)
            {
                writer.Line();
            }

            var entry = catalog.Entries[i];
            var method = entry.Method;
            var parameters = InterceptorEmitter.ParameterList(method.ContainingType, method.IsStatic, method.IsExtension, method.Parameters, asInterceptor: false);
            writer.Line($"/// <summary>Runs <see cref=\"{method.Cref}\"/> as a {method.KindName} run.</summary>");
            writer.Line(Hidden);
            writer.Line($"[{ContractNames.GlobalCompilerServices}.RunEntryPoint({CSharpLiterals.String(method.Key)})]");
            writer.Line($"{(method.IsPublic ? "public" : "internal")} static {method.ReturnType} {entry.UniqueName}({parameters})");
            writer.Indent().Line($"=> {InterceptorEmitter.Body(entry)};").Unindent();
        }

        writer.Close().Close();
        return writer.ToString();
    }

    /// <summary>A 32-bit FNV-1a hash of the name's UTF-16 code units, as 8 hex digits.</summary>
    private static string Hash(string text)
    {
        var hash = 2166136261U;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619U);
        }

        return hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}

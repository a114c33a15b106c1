using System.Collections.Immutable;
using Flows.Sdk.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flows.Sdk.Docs.Tests;

/// <summary>
/// Compiles snippets as a project referencing the Flows packages would: the SDK's implicit usings, nullable on,
/// the built Flows.Sdk, Flows.Sdk.Redshift and Flows.Sdk.PostgreSql with what they reference, and the Flows
/// generator run over the source with Flows.Generated as an interceptors namespace (as Flows.Sdk's build files set).
/// </summary>
internal static class SnippetCompiler
{
    /// <summary>The global usings <c>ImplicitUsings</c> gives a Microsoft.NET.Sdk project.</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>The warnings Microsoft.NET.Sdk turns off in every project (assembly version unification).</summary>
    private static readonly ImmutableDictionary<string, ReportDiagnostic> SdkNoWarn =
        ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("CS1701", ReportDiagnostic.Suppress).Add("CS1702", ReportDiagnostic.Suppress);

    private static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest)
        .WithFeatures([new("InterceptorsNamespaces", "Flows.Generated")]);

    /// <summary>Every assembly the test itself runs with (the Flows packages, Microsoft.Extensions.*, Moq, NUnit, OpenTelemetry), less its own.</summary>
    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileNameWithoutExtension(path) is not ("Flows.Sdk.Docs.Tests" or "Flows.Sdk.Generators"))
            .Select(path => MetadataReference.CreateFromFile(path)),
    ];

    /// <summary>
    /// The errors and warnings of <paramref name="code"/> (the text of <paramref name="snippet"/> starting at
    /// <paramref name="line"/> of its document), compiled inside its wrapper with <paramref name="shared"/>.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Problems(
        DocSnippet snippet, string code, int line, IEnumerable<DocSnippet> shared, IEnumerable<MetadataReference> libraries, bool withGenerator = true)
    {
        var trees = new List<SyntaxTree>
        {
            CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, "ImplicitUsings.g.cs"),
            Parse(snippet, code, line),
        };
        trees.AddRange(shared.Select(s => Parse(s, s.Code, s.Line)));
        return Compile(snippet.Library ?? "Snippet", trees, libraries, withGenerator, out _);
    }

    /// <summary>A document's <c>library</c> block as an assembly, built with or without the generator.</summary>
    public static MetadataReference Library(DocSnippet library, bool withGenerator)
    {
        var trees = new[] { CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, "ImplicitUsings.g.cs"), Parse(library, library.Code, library.Line) };
        var problems = Compile(library.Library!, trees, [], withGenerator, out var output);
        using var image = new MemoryStream();
        var emitted = problems.Any(p => p.Severity == DiagnosticSeverity.Error) ? null : output.Emit(image);
        if (emitted is not { Success: true })
        {
            throw new InvalidOperationException($"The library block at {library} does not compile:\n{Describe(problems)}");
        }

        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>One diagnostic a line, each at its document's file and line.</summary>
    public static string Describe(IEnumerable<Diagnostic> problems) => string.Join('\n', problems.Select(p => p.ToString()));

    private static IReadOnlyList<Diagnostic> Compile(
        string assemblyName, IEnumerable<SyntaxTree> trees, IEnumerable<MetadataReference> libraries, bool withGenerator, out Compilation output)
    {
        var treeList = trees.ToList();
        var kind = treeList.Any(t => t.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any())
            ? OutputKind.ConsoleApplication
            : OutputKind.DynamicallyLinkedLibrary;
        output = CSharpCompilation.Create(
            assemblyName,
            treeList,
            References.Concat(libraries),
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(SdkNoWarn));
        var generatorDiagnostics = ImmutableArray<Diagnostic>.Empty;
        if (withGenerator)
        {
            CSharpGeneratorDriver.Create(
                    [new FlowsGenerator().AsSourceGenerator()],
                    parseOptions: ParseOptions,
                    optionsProvider: new InterceptorsNamespaceProperty())
                .RunGeneratorsAndUpdateCompilation(output, out output, out generatorDiagnostics);
        }

        return
        [
            .. generatorDiagnostics,
            .. output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning),
        ];
    }

    /// <summary>The snippet's text inside its wrapper, with <c>#line</c> so errors point at the document.</summary>
    private static SyntaxTree Parse(DocSnippet snippet, string code, int line)
    {
        var mapped = $"#line {line} \"{snippet.File}\"\n{code}\n#line default\n";
        string text;
        if (snippet.Wrapper is { } wrapper)
        {
            if (!wrapper.Contains(DocSnippet.Placeholder, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{snippet}: the wrapper in its marker has no {DocSnippet.Placeholder} for the snippet.");
            }

            text = wrapper.Replace(DocSnippet.Placeholder, "\n" + mapped, StringComparison.Ordinal);
        }
        else
        {
            text = mapped;
        }

        return CSharpSyntaxTree.ParseText(text, ParseOptions, $"{snippet.File}:{snippet.Line} (wrapper)");
    }

    /// <summary>The <c>build_property.InterceptorsNamespaces</c> MSBuild passes once Flows.Sdk's build file has run.</summary>
    private sealed class InterceptorsNamespaceProperty : AnalyzerConfigOptionsProvider
    {
        private static readonly AnalyzerConfigOptions None = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions { get; } =
            new Options(ImmutableDictionary<string, string>.Empty.Add("build_property.InterceptorsNamespaces", ";Flows.Generated"));

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
            values.TryGetValue(key, out value);
    }
}

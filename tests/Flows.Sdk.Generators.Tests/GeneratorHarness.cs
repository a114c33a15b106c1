using System.Collections.Immutable;
using Flows.Sdk.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flows.Sdk.Generators.Tests;

/// <summary>Compiles test sources against Flows.Sdk and runs <see cref="FlowsGenerator"/> over them.</summary>
internal static class GeneratorHarness
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;
        using Flows;
        using Flows.Runs;

        """;

    /// <summary>Parse options as the SDK passes them: the compiler reads the interceptors namespaces from the features.</summary>
    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose)
        .WithFeatures([new("InterceptorsNamespaces", "Flows.Generated")]);

    private static readonly CSharpParseOptions ParseOptionsWithoutInterceptors = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Flows.Sdk", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(Flows.FlowAttribute).Assembly.Location),
    ];

    public static SyntaxTree Parse(string source, string path = "Input.cs", CSharpParseOptions? options = null) =>
        CSharpSyntaxTree.ParseText(Usings + source, options ?? ParseOptions, path);

    public static CSharpCompilation Compile(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "Flows.Tests.Input",
            trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver whose build property lists Flows.Generated (or not), for trees parsed with <paramref name="parseOptions"/>.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps = false, bool inBuildProperty = true, CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            [new FlowsGenerator().AsSourceGenerator()],
            additionalTexts: [],
            parseOptions: parseOptions ?? ParseOptions,
            optionsProvider: new BuildProperties(inBuildProperty ? "Microsoft.Something;Flows.Generated" : "Microsoft.Something"),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>
    /// Runs the generator over <paramref name="source"/>, with Flows.Generated listed in the build property and in
    /// the compiler features (as the SDK passes InterceptorsNamespaces) unless told otherwise.
    /// </summary>
    public static GeneratorOutcome Run(string source, bool inBuildProperty = true, bool inFeatures = true)
    {
        var parseOptions = inFeatures ? ParseOptions : ParseOptionsWithoutInterceptors;
        var compilation = Compile(Parse(source, options: parseOptions));
        var driver = CreateDriver(inBuildProperty: inBuildProperty, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorOutcome(driver.GetRunResult(), output);
    }

    /// <summary>Runs the generator over <paramref name="source"/> compiled against extra referenced assemblies.</summary>
    public static GeneratorOutcome Run(string source, params MetadataReference[] references) =>
        Run(source, inBuildProperty: true, inFeatures: true, references);

    /// <summary>Runs the generator over <paramref name="source"/> compiled against extra referenced assemblies, with Flows.Generated listed or not.</summary>
    public static GeneratorOutcome Run(string source, bool inBuildProperty, bool inFeatures, params MetadataReference[] references)
    {
        var parseOptions = inFeatures ? ParseOptions : ParseOptionsWithoutInterceptors;
        var compilation = Compile(Parse(source, options: parseOptions)).AddReferences(references);
        var driver = CreateDriver(inBuildProperty: inBuildProperty, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return new GeneratorOutcome(driver.GetRunResult(), output);
    }

    /// <summary>
    /// Compiles <paramref name="source"/> into an assembly named <paramref name="name"/>, for other compilations to
    /// reference: with the generator (as a project using Flows.Sdk builds), or without it (as one built by a
    /// generator that writes no entry points).
    /// </summary>
    public static MetadataReference CompileLibrary(string name, string source, bool withGenerator = true)
    {
        Compilation output = Compile(Parse(source, $"{name}.cs")).WithAssemblyName(name);
        if (withGenerator)
        {
            CreateDriver().RunGeneratorsAndUpdateCompilation(output, out output, out _);
        }

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, emitted.Diagnostics));
        }

        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>Build properties as MSBuild passes them to generators (<c>build_property.*</c>).</summary>
    private sealed class BuildProperties(string interceptorsNamespaces) : AnalyzerConfigOptionsProvider
    {
        private static readonly AnalyzerConfigOptions None = new Options(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions { get; } =
            new Options(ImmutableDictionary<string, string>.Empty.Add("build_property.InterceptorsNamespaces", interceptorsNamespaces));

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;
    }

    private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
            values.TryGetValue(key, out value);
    }
}

/// <summary>What one generator run produced.</summary>
internal sealed record GeneratorOutcome(GeneratorDriverRunResult Result, Compilation Output)
{
    public ImmutableArray<Diagnostic> Diagnostics => Result.Diagnostics;

    public IEnumerable<string> DiagnosticIds => Result.Diagnostics.Select(d => d.Id);

    /// <summary>The generated file with this hint name, or null.</summary>
    public string? Source(string hintName) =>
        Result.Results.SelectMany(r => r.GeneratedSources).FirstOrDefault(s => s.HintName == hintName).SourceText?.ToString();

    /// <summary>
    /// Compiler errors and warnings of the input plus generated code. Documentation is checked so broken crefs in
    /// generated comments show up; the test inputs themselves carry no XML docs (CS1591).
    /// </summary>
    public IEnumerable<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1591");

    /// <summary>The input text a diagnostic points at.</summary>
    public string TextAt(Diagnostic diagnostic) =>
        Output.SyntaxTrees.First().GetText().ToString(diagnostic.Location.SourceSpan);
}

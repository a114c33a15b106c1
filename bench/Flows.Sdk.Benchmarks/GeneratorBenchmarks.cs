using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using Flows.Sdk.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flows.Benchmarks;

/// <summary>
/// The generator over a compilation with 1,000 [Task] methods and 10,000 call sites: a full run, and the run
/// after an edit to a file that declares no task or flow (which must re-run no emit step).
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int TaskFiles = 10;
    private const int TasksPerFile = 100;
    private const int CallFiles = 10;
    private const int CallsPerFile = 1_000;

    private static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest)
        .WithFeatures([new("InterceptorsNamespaces", "Flows.Generated")]);

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trees = new List<SyntaxTree>();
        for (var f = 0; f < TaskFiles; f++)
        {
            var source = new StringBuilder($"using Flows;\nnamespace Load;\npublic static class Tasks{f}\n{{\n");
            for (var t = 0; t < TasksPerFile; t++)
            {
                source.Append($"    [Task(\"t-{f}-{t}\", Retries = 2)] public static int T{t}(int x) => x + {t};\n");
            }

            trees.Add(Parse(source.Append("}\n").ToString(), $"Tasks{f}.cs"));
        }

        for (var f = 0; f < CallFiles; f++)
        {
            var source = new StringBuilder($"namespace Load;\npublic static class Calls{f}\n{{\n    public static int Run()\n    {{\n        var sum = 0;\n");
            for (var c = 0; c < CallsPerFile; c++)
            {
                source.Append($"        sum += Tasks{c % TaskFiles}.T{(c / TaskFiles) % TasksPerFile}(sum);\n");
            }

            trees.Add(Parse(source.Append("        return sum;\n    }\n}\n").ToString(), $"Calls{f}.cs"));
        }

        var plain = Parse("namespace Load;\npublic static class Notes\n{\n    public static int Count() => 1;\n}\n", "Notes.cs");
        trees.Add(plain);

        _compilation = CSharpCompilation.Create(
            "Flows.Benchmarks.Load",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _edited = _compilation.ReplaceSyntaxTree(
            plain,
            Parse("namespace Load;\npublic static class Notes\n{\n    // edited\n    public static int Count() => 2;\n}\n", "Notes.cs"));
        _warm = CreateDriver().RunGenerators(_compilation);
    }

    [Benchmark]
    public GeneratorDriver FullRun() => CreateDriver().RunGenerators(_compilation);

    [Benchmark]
    public GeneratorDriver EditOutsideAnyFlow() => _warm.RunGenerators(_edited);

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new FlowsGenerator().AsSourceGenerator()], parseOptions: ParseOptions);

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    private static ImmutableArray<MetadataReference> References() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Flows.Sdk", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(FlowAttribute).Assembly.Location),
    ];
}

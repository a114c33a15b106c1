using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators.Tests;

/// <summary>
/// Calls of tasks and flows declared in a referenced assembly are intercepted and forwarded to the entry points the
/// generator wrote in that assembly; FLOWS1011 is left for calls that cannot be.
/// </summary>
public sealed class CrossAssemblyTests
{
    private static readonly Lazy<MetadataReference> Shared = new(() => GeneratorHarness.CompileLibrary("Shared.Jobs", Samples.SharedLibrary));

    [Test]
    public void CallsOfAReferencedAssemblysTasks_AreEveryOneIntercepted_AndCompileCleanly()
    {
        var outcome = GeneratorHarness.Run(Samples.SharedConsumer, Shared.Value);

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems.Select(d => d.ToString()), Is.Empty);
        var calls = RunCalls(outcome);
        Assert.That(calls, Has.Count.EqualTo(9));
        Assert.That(calls.Where(c => c.Interceptor is null).Select(c => c.Call.ToString()), Is.Empty);
    }

    [Test]
    public void EachCalledMethod_GetsOneInterceptor_ThatForwardsToItsEntryPoint()
    {
        var outcome = GeneratorHarness.Run(Samples.SharedConsumer, Shared.Value);

        var calls = RunCalls(outcome);
        var interceptors = calls.GroupBy(c => c.Interceptor!.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(interceptors, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["Jobs_Double"] = 2, ["Jobs_FetchAsync"] = 1, ["Jobs_PingAsync"] = 1, ["Jobs_Touch"] = 2,
            ["Jobs_RunAll"] = 1, ["Worker_Scale"] = 1, ["Worker_Save"] = 1,
        }));

        var entryPoints = "global::Flows.Generated." + EntryPointEmitter.TypeName("Shared.Jobs");
        var source = outcome.Source("Flows.Interceptors.g.cs")!;
        Assert.That(source, Does.Contain($"internal static int Jobs_Double(int x)\n            => {entryPoints}.Jobs_Double(x);"));
        Assert.That(source, Does.Contain($"internal static void Jobs_Touch(this string path, int times)\n            => {entryPoints}.Jobs_Touch(path, times);"));
        Assert.That(source, Does.Contain($"internal static int Worker_Scale(this global::Shared.Worker @this, int x, int factor)\n            => {entryPoints}.Worker_Scale(@this, x, factor);"));
        Assert.That(source, Does.Contain($"internal static global::System.Threading.Tasks.Task Worker_Save(this global::Shared.Worker @this, string? note)"));
    }

    [Test]
    public void TheLibrary_HasAnEntryPointPerTaskAndFlow_PublicForPublicMethodsOnly()
    {
        var library = GeneratorHarness.Run(Samples.SharedLibrary);

        var entryPoints = library.Output.GetTypeByMetadataName("Flows.Generated." + EntryPointEmitter.TypeName("Flows.Tests.Input"));
        Assert.That(entryPoints, Is.Not.Null);
        Assert.That(entryPoints!.DeclaredAccessibility, Is.EqualTo(Accessibility.Public));
        var members = entryPoints.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary)
            .ToDictionary(m => m.Name, m => (m.DeclaredAccessibility, Id: (string?)m.GetAttributes().Single(a => a.AttributeClass!.Name == "RunEntryPointAttribute").ConstructorArguments[0].Value));
        Assert.That(members["Jobs_Double"], Is.EqualTo((Accessibility.Public, "M:Shared.Jobs.Double(System.Int32)")));
        Assert.That(members["Worker_Scale"], Is.EqualTo((Accessibility.Public, "M:Shared.Worker.Scale(System.Int32,System.Int32)")));
        Assert.That(members["Internals_Hidden"], Is.EqualTo((Accessibility.Internal, "M:Shared.Internals.Hidden(System.Int32)")));
        Assert.That(members, Has.Count.EqualTo(8));
        Assert.That(library.CompilationProblems.Select(d => d.ToString()), Is.Empty, "entry points are documented (CS1591 would fail a library that builds its docs)");
    }

    // The second case is an application that shows its internals to its test project, which declares tasks of its
    // own: both assemblies then have an internal catalog type of the same name (CS0436 unless the generated code says).
    [TestCase("public static class App { public static int Use() => Friendly.Jobs.Hidden(1); }", TestName = "AnInternalTask_CalledFromAFriendAssembly_IsIntercepted")]
    [TestCase("public static class TestJobs { [Task] public static int Own(int x) => Friendly.Jobs.Hidden(x); }", TestName = "AFriendAssemblyWithTasksOfItsOwn_CallsAnInternalTask_WithoutWarnings")]
    public void AnInternalTask_CalledFromAFriendAssembly_IsInterceptedAndCompilesCleanly(string consumer)
    {
        var library = GeneratorHarness.CompileLibrary("Friendly", """
            [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Flows.Tests.Input")]
            namespace Friendly { internal static class Jobs { [Task] internal static int Hidden(int x) => x; } }
            """);

        var outcome = GeneratorHarness.Run(consumer, library);

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems.Select(d => d.ToString()), Is.Empty);
        Assert.That(RunCalls(outcome).Single().Interceptor, Is.Not.Null);
    }

    [Test]
    public void AProtectedInternalTask_CalledFromADerivedClassElsewhere_ReportsFLOWS1011()
    {
        var library = GeneratorHarness.CompileLibrary("Based", "namespace Based { public class Loader { [Task] protected internal int Load(int x) => x; } }");

        var outcome = GeneratorHarness.Run("public class MyLoader : Based.Loader { public int Use() => Load(1); }", library);

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1011" }));
        Assert.That(
            outcome.Diagnostics.Single().GetMessage(CultureInfo.InvariantCulture),
            Does.EndWith("its entry point is internal to 'Based' because the task or a type containing it is not public; make them public, or let 'Based' grant this project InternalsVisibleTo"));
        Assert.That(outcome.Source("Flows.Interceptors.g.cs"), Is.Null);
    }

    [Test]
    public void TwoLibrariesWhoseNamesDifferOnlyInPunctuation_DoNotCollide()
    {
        const string Library = """namespace {0} {{ public static class Jobs {{ [Task("{0}-double")] public static int Double(int x) => x * 2; }} }}""";
        var dotted = GeneratorHarness.CompileLibrary("Shared.Jobs", string.Format(CultureInfo.InvariantCulture, Library, "Dotted"));
        var underscored = GeneratorHarness.CompileLibrary("Shared_Jobs", string.Format(CultureInfo.InvariantCulture, Library, "Underscored"));

        var outcome = GeneratorHarness.Run("public static class App { public static int Use() => Dotted.Jobs.Double(1) + Underscored.Jobs.Double(2); }", dotted, underscored);

        Assert.That(EntryPointEmitter.TypeName("Shared.Jobs"), Is.Not.EqualTo(EntryPointEmitter.TypeName("Shared_Jobs")));
        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems.Select(d => d.ToString()), Is.Empty);
        Assert.That(RunCalls(outcome).Select(c => c.Interceptor?.Name), Is.EquivalentTo(new[] { "Jobs_Double", "Jobs_Double_2" }));
    }

    [Test]
    public void ALocalTaskAndALibraryTaskOfTheSameName_GetDistinctInterceptors()
    {
        var outcome = GeneratorHarness.Run(
            "namespace Local { public static class Jobs { [Task(\"local-double\")] public static int Double(int x) => x; public static int Use() => Double(1) + Shared.Jobs.Double(2); } }",
            Shared.Value);

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems.Select(d => d.ToString()), Is.Empty);
        Assert.That(RunCalls(outcome).Select(c => c.Interceptor?.Name), Is.EqualTo(new[] { "Jobs_Double", "Jobs_Double_2" }));
    }

    [Test]
    public void AProjectCallingALibrarysTasks_WithoutTheInterceptorsNamespace_ReportsFLOWS1006()
    {
        var outcome = GeneratorHarness.Run("public static class App { public static int Use() => Shared.Jobs.Double(1); }", inBuildProperty: false, inFeatures: false, Shared.Value);

        Assert.That(outcome.DiagnosticIds, Is.EquivalentTo(new[] { "FLOWS1006" }));
    }

    /// <summary>Every call of a [Task] / [Flow] method in the input, with the interceptor the compiler binds it to.</summary>
    private static List<(InvocationExpressionSyntax Call, IMethodSymbol? Interceptor)> RunCalls(GeneratorOutcome outcome)
    {
        var input = outcome.Output.SyntaxTrees.First();
        var model = outcome.Output.GetSemanticModel(input);
        return
        [
            .. input.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Where(call => model.GetSymbolInfo(call).Symbol is IMethodSymbol method
                    && (method.ReducedFrom ?? method).GetAttributes().Any(a => a.AttributeClass?.Name is "TaskAttribute" or "FlowAttribute"))
                .Select(call => (call, model.GetInterceptorMethod(call))),
        ];
    }
}

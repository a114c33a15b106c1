using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators.Tests;

/// <summary>The input plus the generated code compiles cleanly, and every call of a task or flow is intercepted.</summary>
public sealed class CompileOutputTests
{
    /// <summary>Parameter names that a generated member could shadow or clash with.</summary>
    private const string AwkwardNames = """
        namespace Awkward;

        public sealed class Names
        {
            [Task]
            public int Clash(int Instance, int a, int b, int w, int run, int ct) => Instance + a + b + w + run + ct;

            [Flow]
            public async Task<int> Run(int Instance, CancellationToken ct = default)
            {
                await Task.Yield();
                return Clash(Instance, 1, 2, 3, 4, 5);
            }
        }
        """;

    private static readonly string[] Sources = [Samples.VoterSync, Samples.ReturnShapes, AwkwardNames];

    [TestCaseSource(nameof(Sources))]
    public void GeneratedCode_CompilesWithoutErrorsOrWarnings(string source)
    {
        var outcome = GeneratorHarness.Run(source);

        Assert.That(outcome.Diagnostics, Is.Empty);
        Assert.That(outcome.CompilationProblems.Select(d => d.ToString()), Is.Empty);
    }

    [TestCaseSource(nameof(Sources))]
    public void EveryCallOfATaskOrFlow_IsIntercepted(string source)
    {
        var outcome = GeneratorHarness.Run(source);

        var input = outcome.Output.SyntaxTrees.First();
        var model = outcome.Output.GetSemanticModel(input);
        var calls = input.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(call => model.GetSymbolInfo(call).Symbol is IMethodSymbol method
                && method.GetAttributes().Any(a => a.AttributeClass?.Name is "TaskAttribute" or "FlowAttribute"))
            .ToList();

        Assert.That(calls, Is.Not.Empty);
        Assert.That(calls.Where(call => model.GetInterceptorMethod(call) is null).Select(call => call.ToString()), Is.Empty);
    }
}

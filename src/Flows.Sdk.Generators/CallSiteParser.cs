using System.Linq;
using System.Threading;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators;

/// <summary>
/// Finds calls of <c>[Task]</c> / <c>[Flow]</c> methods (to intercept) and method-group uses of them (FLOWS1004).
/// The syntactic filter is cheap and runs on every node; the semantic step only on invocations and on names in
/// positions where a method group can become a delegate.
/// </summary>
internal static class CallSiteParser
{
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) => node switch
    {
        InvocationExpressionSyntax invocation => invocation.Expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or MemberBindingExpressionSyntax,
        IdentifierNameSyntax or MemberAccessExpressionSyntax => IsDelegatePosition((ExpressionSyntax)node),
        _ => false,
    };

    public static CallSiteSpec? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken) =>
        context.Node is InvocationExpressionSyntax invocation
            ? ParseInvocation(context.SemanticModel, invocation, cancellationToken)
            : ParseMethodGroup(context.SemanticModel, (ExpressionSyntax)context.Node, cancellationToken);

    private static CallSiteSpec? ParseInvocation(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        // base.M() must call the base implementation; routing it through the runtime would dispatch virtually.
        if (invocation.Expression is MemberAccessExpressionSyntax { Expression: BaseExpressionSyntax })
        {
            return null;
        }

        if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol called)
        {
            return null;
        }

        if (TargetOf(called) is not { } target)
        {
            return FromOtherAssembly(called, invocation);
        }

        var location = model.GetInterceptableLocation(invocation, cancellationToken);
        return location is null
            ? null
            : new CallSiteSpec(Key(target), new InterceptedCall(location.Version, location.Data, location.GetDisplayLocation()), null);
    }

    private static CallSiteSpec? ParseMethodGroup(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var info = model.GetSymbolInfo(expression, cancellationToken);
        var symbol = info.Symbol ?? (info.CandidateSymbols.Length > 0 ? info.CandidateSymbols[0] : null);
        if (symbol is not IMethodSymbol method || TargetOf(method) is not { } target)
        {
            return null;
        }

        var display = target.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        var names = string.Join(", ", target.Parameters.Select(p => p.Name));
        var lambda = $"{(target.Parameters.Length == 1 ? names : $"({names})")} => {expression}({names})";
        var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.MethodGroupUse, LocationInfo.From(expression), display, lambda);
        return new CallSiteSpec(Key(target), null, diagnostic);
    }

    /// <summary>
    /// A task or flow declared in a referenced assembly: its descriptor lives there and is internal, so the call cannot
    /// be routed through the runtime from here (FLOWS1011); anything else is not ours.
    /// </summary>
    private static CallSiteSpec? FromOtherAssembly(IMethodSymbol called, InvocationExpressionSyntax invocation)
    {
        var method = (called.ReducedFrom ?? called).OriginalDefinition;
        if (SymbolRules.RunKindOf(method) is not { } kind || method.Locations.Any(l => l.IsInSource))
        {
            return null;
        }

        var diagnostic = DiagnosticInfo.Create(
            DiagnosticDescriptors.RunFromOtherAssembly,
            LocationInfo.From(invocation),
            method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
            kind == RunKindSpec.Flow ? "flow" : "task",
            method.ContainingAssembly?.Name ?? "another assembly");
        return new CallSiteSpec(Key(method), null, diagnostic);
    }

    /// <summary>The attributed method declared in this compilation, or null.</summary>
    private static IMethodSymbol? TargetOf(IMethodSymbol called)
    {
        var target = (called.ReducedFrom ?? called).OriginalDefinition;
        return SymbolRules.RunKindOf(target) is not null && !target.Locations.IsEmpty && target.Locations[0].IsInSource ? target : null;
    }

    private static string Key(IMethodSymbol method) => method.GetDocumentationCommentId() ?? method.ToDisplayString();

    // Positions where a method group converts to a delegate: arguments, initialisers, assignments, returns,
    // lambda bodies, casts, conditionals and collection elements.
    private static bool IsDelegatePosition(ExpressionSyntax expression)
    {
        if (expression.Parent is MemberAccessExpressionSyntax access && access.Name == expression)
        {
            return false; // the whole "x.M" is the candidate, not its name
        }

        return expression.Parent switch
        {
            ArgumentSyntax argument => !IsNameOf(argument),
            EqualsValueClauseSyntax or ReturnStatementSyntax or ArrowExpressionClauseSyntax or CastExpressionSyntax
                or ConditionalExpressionSyntax or ExpressionElementSyntax or InitializerExpressionSyntax => true,
            AssignmentExpressionSyntax assignment => assignment.Right == expression,
            LambdaExpressionSyntax lambda => lambda.Body == expression,
            _ => false,
        };
    }

    private static bool IsNameOf(ArgumentSyntax argument) =>
        argument.Parent?.Parent is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } };
}

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
            return FromOtherAssembly(model, called, invocation, cancellationToken);
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
    /// A task or flow declared in a referenced assembly: its descriptor is internal to that assembly, so the call is
    /// forwarded to the entry point its generator wrote for the method. Without one this project can call (the
    /// assembly was built without a matching generator, or the entry point is internal to it) the call stays a
    /// plain call (FLOWS1011). Anything else is not ours.
    /// </summary>
    private static CallSiteSpec? FromOtherAssembly(SemanticModel model, IMethodSymbol called, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        var method = (called.ReducedFrom ?? called).OriginalDefinition;
        if (SymbolRules.RunKindOf(method) is not { } kind || method.Locations.Any(l => l.IsInSource))
        {
            return null;
        }

        var key = Key(method);
        var kindName = kind == RunKindSpec.Flow ? "flow" : "task";
        var assembly = method.ContainingAssembly?.Name ?? "another assembly";
        var entry = EntryPointOf(method, key);
        if (entry is not null && model.Compilation.IsSymbolAccessibleWithin(entry, model.Compilation.Assembly))
        {
            var location = model.GetInterceptableLocation(invocation, cancellationToken);
            return location is null
                ? null
                : new CallSiteSpec(key, new InterceptedCall(location.Version, location.Data, location.GetDisplayLocation()), null, Forward(method, kindName, entry));
        }

        // Internal entry points are not even imported without InternalsVisibleTo, so ask the method why.
        var reason = !SymbolRules.IsPublic(method)
            ? $"its entry point is internal to '{assembly}' because the {kindName} or a type containing it is not public; make them public, or let '{assembly}' grant this project InternalsVisibleTo"
            : $"'{assembly}' has no Flows entry point for it: it was built without the Flows.Sdk generator or with another version of it; build '{assembly}' with the Flows.Sdk version this project uses";
        var diagnostic = DiagnosticInfo.Create(
            DiagnosticDescriptors.RunFromOtherAssembly,
            LocationInfo.From(invocation),
            method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
            kindName,
            assembly,
            reason);
        return new CallSiteSpec(key, null, diagnostic);
    }

    /// <summary>
    /// The entry point the method's assembly generated for it: the method of its entry point class whose
    /// <c>[RunEntryPoint]</c> names the method and whose signature is the method's, with an instance method's
    /// receiver first. Null when there is none.
    /// </summary>
    private static IMethodSymbol? EntryPointOf(IMethodSymbol method, string key)
    {
        var type = method.ContainingAssembly?.GetTypeByMetadataName(
            EntryPointEmitter.Namespace + "." + EntryPointEmitter.TypeName(method.ContainingAssembly.Name));
        if (type is null)
        {
            return null;
        }

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { IsStatic: true } entry && EntryIdOf(entry) == key && HasSignatureOf(entry, method))
            {
                return entry;
            }
        }

        return null;
    }

    private static string? EntryIdOf(IMethodSymbol entry)
    {
        foreach (var attribute in entry.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "RunEntryPointAttribute" } type
                && type.ContainingNamespace.ToDisplayString() == ContractNames.CompilerServices
                && attribute.ConstructorArguments.Length == 1)
            {
                return attribute.ConstructorArguments[0].Value as string;
            }
        }

        return null;
    }

    private static bool HasSignatureOf(IMethodSymbol entry, IMethodSymbol method)
    {
        var receivers = method.IsStatic ? 0 : 1;
        if (entry.Parameters.Length != method.Parameters.Length + receivers
            || !SymbolEqualityComparer.Default.Equals(entry.ReturnType, method.ReturnType)
            || (receivers == 1 && !SymbolEqualityComparer.Default.Equals(entry.Parameters[0].Type, method.ContainingType)))
        {
            return false;
        }

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            if (entry.Parameters[i + receivers].RefKind != RefKind.None
                || !SymbolEqualityComparer.Default.Equals(entry.Parameters[i + receivers].Type, method.Parameters[i].Type))
            {
                return false;
            }
        }

        return true;
    }

    private static ForwardSpec Forward(IMethodSymbol method, string kindName, IMethodSymbol entry) => new(
        EntryPoint: entry.ContainingType.ToDisplayString(CSharpLiterals.TypeOfFormat) + "." + entry.Name,
        EntryName: entry.Name,
        KindName: kindName,
        Cref: MethodParser.Cref(method),
        ContainingType: MethodParser.ContainingTypeOf(method),
        IsStatic: method.IsStatic,
        IsExtension: method.IsExtensionMethod,
        ReturnType: MethodParser.ReturnTypeOf(method),
        Parameters: method.Parameters.Select(MethodParser.ParameterOf).ToImmutableEquatableArray());

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

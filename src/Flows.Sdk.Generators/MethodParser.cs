using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Flows.Sdk.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flows.Sdk.Generators;

/// <summary>Turns one <c>[Task]</c> / <c>[Flow]</c> method symbol into a <see cref="RunMethodSpec"/> and its diagnostics.</summary>
internal static class MethodParser
{
    public const string TaskAttribute = ContractNames.Authoring + ".TaskAttribute";
    public const string FlowAttribute = ContractNames.Authoring + ".FlowAttribute";

    private const string UnitType = ContractNames.GlobalCompilerServices + ".Unit";

    public static MethodParseResult Parse(GeneratorAttributeSyntaxContext context, RunKindSpec kind, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var location = LocationInfo.From(context.TargetNode is MethodDeclarationSyntax declaration
            ? declaration.Identifier.GetLocation()
            : context.TargetNode.GetLocation());
        var display = method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        var diagnostics = new List<DiagnosticInfo>();

        foreach (var problem in ShapeProblems(method, kind))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotIntercept, location, display, problem));
        }

        var parameters = Parameters(method, display, diagnostics);
        var reader = new RunOptionsReader(context.Attributes[0], cancellationToken);
        var runName = reader.ExplicitName ?? RunNames.FromMethodName(method.Name);
        reader.Validate(runName, display, diagnostics);

        if (reader.HasTimeout && !parameters.Any(p => p.IsCancellationToken))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TimeoutWithoutToken, location, display));
        }

        var onCompletion = HookResolver.Resolve(method, "OnCompletion", reader.OnCompletion, location, display, diagnostics);
        var onFailure = HookResolver.Resolve(method, "OnFailure", reader.OnFailure, location, display, diagnostics);
        var onCancellation = HookResolver.Resolve(method, "OnCancellation", reader.OnCancellation, location, display, diagnostics);
        var onCrashed = HookResolver.Resolve(method, "OnCrashed", reader.OnCrashed, location, display, diagnostics);
        var cacheKey = CacheKeyResolver.Resolve(method, reader.CacheKey, location, display, diagnostics);

        var result = diagnostics.ToImmutableEquatableArray();
        if (result.HasErrors() || context.TargetNode is not MethodDeclarationSyntax methodSyntax)
        {
            return new MethodParseResult(null, result);
        }

        var (shape, resultType) = ReturnShapeOf(method);
        var spec = new RunMethodSpec(
            Key: method.GetDocumentationCommentId() ?? display,
            Kind: kind,
            RunName: runName,
            ContainingType: ContainingTypeOf(method),
            TypeNameChain: TypeNameChain(method.ContainingType),
            Cref: Cref(method),
            MethodName: SymbolRules.Identifier(method.Name),
            IsStatic: method.IsStatic,
            IsExtension: method.IsExtensionMethod,
            IsPublic: SymbolRules.IsPublic(method),
            ReturnType: ReturnTypeOf(method),
            Shape: shape,
            ResultType: resultType,
            Parameters: parameters.ToImmutableEquatableArray(),
            Options: reader.Options(runName),
            SourceHash: SourceHash.Of(methodSyntax),
            OnCompletion: onCompletion,
            OnFailure: onFailure,
            OnCancellation: onCancellation,
            OnCrashed: onCrashed,
            Caches: reader.Caches,
            CacheKey: cacheKey,
            Location: location);
        return new MethodParseResult(spec, result);
    }

    private static IEnumerable<string> ShapeProblems(IMethodSymbol method, RunKindSpec kind)
    {
        var type = method.ContainingType;
        if (method.MethodKind != MethodKind.Ordinary)
        {
            yield return "only ordinary methods can be tasks or flows, not local functions, lambdas, accessors or operators";
        }

        if (kind == RunKindSpec.Flow && SymbolRules.RunKindOf(method) == RunKindSpec.Task)
        {
            yield return "it has both [Task] and [Flow]; keep one";
        }

        if (method.IsGenericMethod)
        {
            yield return "generic methods are not supported; make it non-generic";
        }

        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                yield return $"its type '{t.Name}' is generic, which is not supported; move the method to a non-generic type";
                break;
            }
        }

        if (!SymbolRules.IsReachableFromAssembly(method))
        {
            yield return "it (or a type containing it) is private or protected, so generated code cannot call it; make it internal or public";
        }

        if (method.IsAsync && method.ReturnsVoid)
        {
            yield return "async void cannot be awaited or observed; return Task instead";
        }

        if (type.IsRefLikeType)
        {
            yield return "methods of ref structs are not supported";
        }
        else if (!method.IsStatic && type.IsValueType)
        {
            yield return "instance methods of structs are not supported; make it static or move it to a class";
        }

        if (method.ReturnsByRef || method.ReturnsByRefReadonly || method.ReturnType.IsRefLikeType || IsPointer(method.ReturnType))
        {
            yield return "it returns by reference, a ref struct or a pointer";
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                yield return $"parameter '{parameter.Name}' is passed by reference ({parameter.RefKind.ToString().ToLowerInvariant()}); pass it by value and return results instead";
            }

            if (parameter.Type.IsRefLikeType || IsPointer(parameter.Type))
            {
                yield return $"parameter '{parameter.Name}' is a ref struct or pointer, which cannot be stored with the run";
            }
        }
    }

    private static bool IsPointer(ITypeSymbol type) => type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer;

    private static List<ParameterSpec> Parameters(IMethodSymbol method, string display, List<DiagnosticInfo> diagnostics)
    {
        var parameters = new List<ParameterSpec>(method.Parameters.Length);
        foreach (var parameter in method.Parameters)
        {
            var spec = ParameterOf(parameter);
            if (spec.SecretName is { } secret && spec.DefaultValue is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SecretWithoutDefault, LocationInfo.From(parameter.Locations.FirstOrDefault()), parameter.Name, display, secret));
            }

            if (spec.SecretName is not null && SecretProblem(parameter, spec.SecretName) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.InvalidSecret, LocationInfo.From(parameter.Locations.FirstOrDefault()), parameter.Name, display, problem));
            }

            parameters.Add(spec);
        }

        return parameters;
    }

    /// <summary>The declaring type, <c>global::</c>-qualified, as signatures and <c>typeof</c> write it.</summary>
    public static string ContainingTypeOf(IMethodSymbol method) => method.ContainingType.ToDisplayString(CSharpLiterals.TypeOfFormat);

    /// <summary>The return type as declared, with nullable annotations.</summary>
    public static string ReturnTypeOf(IMethodSymbol method) => method.ReturnType.ToDisplayString(CSharpLiterals.TypeFormat);

    /// <summary>One parameter as generated code declares and passes it; works on source and metadata symbols alike.</summary>
    public static ParameterSpec ParameterOf(IParameterSymbol parameter) => new(
        Name: SymbolRules.Identifier(parameter.Name),
        MetadataName: parameter.Name,
        Type: parameter.Type.ToDisplayString(CSharpLiterals.TypeFormat),
        TypeOfType: parameter.Type.ToDisplayString(CSharpLiterals.TypeOfFormat),
        TypeDisplay: parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
        DefaultValue: parameter.HasExplicitDefaultValue ? CSharpLiterals.Default(parameter.ExplicitDefaultValue, parameter.Type) : null,
        SecretName: SecretName(parameter),
        IsCancellationToken: SymbolRules.Is(parameter.Type, "System.Threading", "CancellationToken"));

    /// <summary>Why a [Secret] parameter cannot be injected, or null when it can.</summary>
    private static string? SecretProblem(IParameterSymbol parameter, string secret)
    {
        if (secret.Trim().Length == 0)
        {
            return "the [Secret] name is empty; name the secret as the providers know it, such as [Secret(\"van-api-key\")]";
        }

        return parameter.Type.SpecialType == SpecialType.System_String || SymbolRules.Is(parameter.Type, ContractNames.Authoring, "SecretCredential")
            ? null
            : $"a [Secret] parameter is a string or a Flows.SecretCredential, not {parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}";
    }

    private static string? SecretName(IParameterSymbol parameter)
    {
        foreach (var attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass is { } type && SymbolRules.Is(type, ContractNames.Authoring, "SecretAttribute")
                && attribute.ConstructorArguments.Length == 1)
            {
                return attribute.ConstructorArguments[0].Value as string ?? string.Empty;
            }
        }

        return null;
    }

    private static (ReturnShape Shape, string ResultType) ReturnShapeOf(IMethodSymbol method)
    {
        var returnType = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return (ReturnShape.Void, UnitType);
        }

        const string Tasks = "System.Threading.Tasks";
        if (SymbolRules.Is(returnType, Tasks, "Task"))
        {
            return (ReturnShape.Task, UnitType);
        }

        if (SymbolRules.Is(returnType, Tasks, "ValueTask"))
        {
            return (ReturnShape.ValueTask, UnitType);
        }

        var awaited = returnType is INamedTypeSymbol { TypeArguments.Length: 1 } named
            ? named.TypeArguments[0].ToDisplayString(CSharpLiterals.TypeFormat)
            : null;
        if (awaited is not null && SymbolRules.Is(returnType, Tasks, "Task", arity: 1))
        {
            return (ReturnShape.TaskOfT, awaited);
        }

        if (awaited is not null && SymbolRules.Is(returnType, Tasks, "ValueTask", arity: 1))
        {
            return (ReturnShape.ValueTaskOfT, awaited);
        }

        return (ReturnShape.Value, returnType.ToDisplayString(CSharpLiterals.TypeFormat));
    }

    private static string TypeNameChain(INamedTypeSymbol type) =>
        type.ContainingType is null ? type.Name : TypeNameChain(type.ContainingType) + "_" + type.Name;

    /// <summary>A <c>cref</c> to the method, for doc comments.</summary>
    public static string Cref(IMethodSymbol method)
    {
        var parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(CSharpLiterals.CrefFormat)));
        var text = method.ContainingType.ToDisplayString(CSharpLiterals.CrefFormat) + "." + method.Name + "(" + parameters + ")";
        return text.Replace('<', '{').Replace('>', '}');
    }
}

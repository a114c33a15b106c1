namespace Flows.Sdk.Generators.Model;

/// <summary>Whether a method is a task or a flow; mirrors <c>Flows.Runs.RunKind</c>.</summary>
internal enum RunKindSpec
{
    Flow,
    Task,
}

/// <summary>The shapes of return type the runtime can adapt.</summary>
internal enum ReturnShape
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>
/// Everything the emitter needs about one <c>[Task]</c> or <c>[Flow]</c> method, free of symbols so it can be cached.
/// </summary>
/// <param name="Key">The method's documentation id; joins call sites to their method.</param>
/// <param name="Kind">Task or flow.</param>
/// <param name="RunName">The stable run name (from the attribute, or the kebab-cased method name).</param>
/// <param name="ContainingType">The declaring type, <c>global::</c>-qualified.</param>
/// <param name="TypeNameChain">The declaring type's names, outer first, joined with <c>_</c>; a seed for unique member names.</param>
/// <param name="Cref">A <c>cref</c> to the method for doc comments.</param>
/// <param name="MethodName">The method's name as written in C# (escaped when a keyword).</param>
/// <param name="IsStatic">Static or instance.</param>
/// <param name="IsExtension">A classic extension method (its first parameter carries <c>this</c>).</param>
/// <param name="IsPublic">The method and every type containing it are public, so other assemblies can call it.</param>
/// <param name="ReturnType">The return type as written, with nullable annotations.</param>
/// <param name="Shape">How the return type is adapted.</param>
/// <param name="ResultType">The descriptor's <c>TResult</c>: the awaited or returned type, or <c>Unit</c>.</param>
/// <param name="Parameters">The parameters in order.</param>
/// <param name="Options">RunOptions initialisers, already C# literals, in declaration order of RunOptions.</param>
/// <param name="SourceHash">FNV-1a hash of the declaration's tokens; changes when the body changes.</param>
/// <param name="OnCompletion">The resolved OnCompletion hook.</param>
/// <param name="OnFailure">The resolved OnFailure hook.</param>
/// <param name="OnCancellation">The resolved OnCancellation hook.</param>
/// <param name="OnCrashed">The resolved OnCrashed hook.</param>
/// <param name="Caches">The task caches its results (an expiration or a custom key), so the runtime needs its inputs.</param>
/// <param name="CacheKey">The resolved CacheKey method.</param>
/// <param name="Location">The method's name, for diagnostics reported about the whole catalog.</param>
internal sealed record RunMethodSpec(
    string Key,
    RunKindSpec Kind,
    string RunName,
    string ContainingType,
    string TypeNameChain,
    string Cref,
    string MethodName,
    bool IsStatic,
    bool IsExtension,
    bool IsPublic,
    string ReturnType,
    ReturnShape Shape,
    string ResultType,
    ImmutableEquatableArray<ParameterSpec> Parameters,
    ImmutableEquatableArray<OptionSpec> Options,
    string SourceHash,
    HookSpec? OnCompletion,
    HookSpec? OnFailure,
    HookSpec? OnCancellation,
    HookSpec? OnCrashed,
    bool Caches,
    CacheKeySpec? CacheKey,
    LocationInfo? Location)
{
    /// <summary>"task" or "flow", for messages and doc comments.</summary>
    public string KindName => Kind == RunKindSpec.Flow ? "flow" : "task";

    public bool IsAsync => Shape is ReturnShape.Task or ReturnShape.TaskOfT or ReturnShape.ValueTask or ReturnShape.ValueTaskOfT;
}

/// <summary>One parameter.</summary>
/// <param name="Name">The name as an identifier (escaped with <c>@</c> when a keyword).</param>
/// <param name="MetadataName">The name as a string (no <c>@</c>), as runs record it.</param>
/// <param name="Type">The type, <c>global::</c>-qualified, with nullable annotations.</param>
/// <param name="TypeOfType">The type as <c>typeof</c> accepts it (no nullable reference annotations).</param>
/// <param name="TypeDisplay">The type as a person writes it (<c>string[]</c>).</param>
/// <param name="DefaultValue">The default as a C# expression, or null when there is none.</param>
/// <param name="SecretName">The <c>[Secret]</c> name.</param>
/// <param name="IsCancellationToken">Receives the run's token.</param>
internal sealed record ParameterSpec(
    string Name,
    string MetadataName,
    string Type,
    string TypeOfType,
    string TypeDisplay,
    string? DefaultValue,
    string? SecretName,
    bool IsCancellationToken)
{
    public bool HasDefault => DefaultValue is not null;
}

/// <summary>One <c>RunOptions</c> initialiser: property name and C# expression.</summary>
internal sealed record OptionSpec(string Property, string Value);

/// <summary>How a hook returns.</summary>
internal enum HookReturn
{
    Void,
    Task,
    ValueTask,
}

/// <summary>A resolved OnCompletion / OnFailure / OnCancellation / OnCrashed hook method.</summary>
internal sealed record HookSpec(string MethodName, bool IsStatic, bool TakesRunRecord, HookReturn Return);

/// <summary>A resolved CacheKey method: called with the task's arguments except its CancellationToken.</summary>
internal sealed record CacheKeySpec(string MethodName, bool IsStatic);

/// <summary>The parser's result for one attributed method: a spec when it can be generated, and its diagnostics.</summary>
internal sealed record MethodParseResult(RunMethodSpec? Method, ImmutableEquatableArray<DiagnosticInfo> Diagnostics);

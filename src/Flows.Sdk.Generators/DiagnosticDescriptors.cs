using Microsoft.CodeAnalysis;

namespace Flows.Sdk.Generators;

/// <summary>Every diagnostic the generator reports. Ids are fixed; each is documented in docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Flows";

    public static readonly DiagnosticDescriptor CannotIntercept = new(
        id: "FLOWS1001",
        title: "Task or flow method cannot be intercepted",
        messageFormat: "'{0}' cannot be a task or flow: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Calls of [Task] and [Flow] methods are routed through the runtime by generated interceptors, which cannot reach private methods, generic methods, ref/out/in parameters, ref structs, pointers or async void.");

    public static readonly DiagnosticDescriptor SecretWithoutDefault = new(
        id: "FLOWS1002",
        title: "Secret parameter needs a default value",
        messageFormat: "Parameter '{0}' of '{1}' is a [Secret(\"{2}\")] but has no default value; give it one, such as = \"\", so callers can leave it out and the runtime injects it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidHook = new(
        id: "FLOWS1003",
        title: "Hook method not found or has the wrong shape",
        messageFormat: "{0} = \"{1}\" on '{2}': {3}; a hook is a non-private, non-generic method on the same type that takes no parameters or one Flows.Runs.RunRecord and returns void, Task or ValueTask (static, or instance when the task or flow is an instance method)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MethodGroupUse = new(
        id: "FLOWS1004",
        title: "Task or flow used as a method group bypasses the runtime",
        messageFormat: "'{0}' is used as a method group or delegate, so calls through it are not recorded, retried or timed out; call it from a lambda instead: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateName = new(
        id: "FLOWS1005",
        title: "Duplicate task or flow name",
        messageFormat: "The {0} name '{1}' is used by more than one method ({2}); give each a distinct Name",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InterceptorsNamespaceMissing = new(
        id: "FLOWS1006",
        title: "Interceptors namespace is not enabled",
        messageFormat: "Calls of tasks and flows are not intercepted because 'Flows.Generated' is not in InterceptorsNamespaces; reference the Flows.Sdk package, or add <InterceptorsNamespaces>$(InterceptorsNamespaces);Flows.Generated</InterceptorsNamespaces> to the project",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TimeoutWithoutToken = new(
        id: "FLOWS1007",
        title: "Timeout on a method without a CancellationToken",
        messageFormat: "'{0}' sets TimeoutSeconds but takes no CancellationToken, so the timeout cannot stop it; add a CancellationToken parameter and honour it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidOption = new(
        id: "FLOWS1008",
        title: "Invalid task or flow option",
        messageFormat: "'{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidSecret = new(
        id: "FLOWS1009",
        title: "Secret parameter has an empty name or a type secrets cannot fill",
        messageFormat: "Parameter '{0}' of '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidCacheKey = new(
        id: "FLOWS1010",
        title: "Cache key method not found or has the wrong shape",
        messageFormat: "CacheKey = \"{0}\" on '{1}': {2}; a cache key method is a non-private, non-generic method on the same type that takes the task's parameters except its CancellationToken ({3}) and returns string (static, or instance when the task is an instance method)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor RunFromOtherAssembly = new(
        id: "FLOWS1011",
        title: "Task or flow of another assembly cannot be run through the runtime",
        messageFormat: "'{0}' is a {1} of assembly '{2}' and this call of it is not recorded, retried or timed out: {3}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Calls of a task or flow of a referenced assembly are forwarded to the entry point the Flows.Sdk generator writes for it in that assembly. A call runs as a plain method call when there is no such entry point, or when it is internal to that assembly.");

    public static readonly DiagnosticDescriptor InvalidSchedule = new(
        id: "FLOWS1012",
        title: "Schedule is not valid crontab or time zone is unknown",
        messageFormat: "{0}: {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A literal schedule is read as crontab (5 fields, or 6 with seconds first) exactly as the orchestration host reads it at start-up, and a literal time zone must be an IANA or Windows id the build machine's time-zone data knows.");
}

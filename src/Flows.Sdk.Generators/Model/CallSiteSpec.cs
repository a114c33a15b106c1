namespace Flows.Sdk.Generators.Model;

/// <summary>
/// A call of a <c>[Task]</c> / <c>[Flow]</c> method to intercept. Keeps the interceptable location's version and
/// data rather than the Roslyn object, so the model stays equatable.
/// </summary>
internal sealed record InterceptedCall(int Version, string Data, string DisplayLocation);

/// <summary>
/// Something found at a use of a <c>[Task]</c> / <c>[Flow]</c> method: a call to intercept, or a method-group use
/// to warn about. A call of a method declared in a referenced assembly carries <see cref="Forward"/>: the
/// interceptor hands it to that assembly's generated entry point.
/// </summary>
internal sealed record CallSiteSpec(string MethodKey, InterceptedCall? Call, DiagnosticInfo? Diagnostic, ForwardSpec? Forward = null);

/// <summary>
/// What an interceptor needs to forward calls of a task or flow of a referenced assembly to the entry point that
/// assembly generated for it (see <c>EntryPointEmitter</c>).
/// </summary>
/// <param name="EntryPoint">The entry method, <c>global::</c>-qualified, such as <c>global::Flows.Generated.FlowsEntryPoints_Shared_1a2b3c4d.Jobs_Load</c>.</param>
/// <param name="EntryName">The entry method's own name; a seed for the interceptor's name.</param>
/// <param name="KindName">"task" or "flow", for the doc comment.</param>
/// <param name="Cref">A <c>cref</c> to the method for the doc comment.</param>
/// <param name="ContainingType">The declaring type, <c>global::</c>-qualified; the receiver's type for an instance method.</param>
/// <param name="IsStatic">Static or instance.</param>
/// <param name="IsExtension">A classic extension method.</param>
/// <param name="ReturnType">The return type as declared, with nullable annotations.</param>
/// <param name="Parameters">The parameters in order.</param>
internal sealed record ForwardSpec(
    string EntryPoint,
    string EntryName,
    string KindName,
    string Cref,
    string ContainingType,
    bool IsStatic,
    bool IsExtension,
    string ReturnType,
    ImmutableEquatableArray<ParameterSpec> Parameters);

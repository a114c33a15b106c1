namespace Flows.Sdk.Generators.Model;

/// <summary>
/// A call of a <c>[Task]</c> / <c>[Flow]</c> method to intercept. Keeps the interceptable location's version and
/// data rather than the Roslyn object, so the model stays equatable.
/// </summary>
internal sealed record InterceptedCall(int Version, string Data, string DisplayLocation);

/// <summary>
/// Something found at a use of a <c>[Task]</c> / <c>[Flow]</c> method: a call to intercept, or a method-group use
/// to warn about.
/// </summary>
internal sealed record CallSiteSpec(string MethodKey, InterceptedCall? Call, DiagnosticInfo? Diagnostic);

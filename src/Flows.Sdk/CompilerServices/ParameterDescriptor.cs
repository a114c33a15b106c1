using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>One parameter of a flow or task as the generator saw it. For generated code; not a stable API for hand-written code.</summary>
/// <param name="Name">The parameter name in source.</param>
/// <param name="Type">The parameter type.</param>
/// <param name="TypeDisplay">The type as written in C# (<c>string[]</c>, <c>int?</c>).</param>
/// <param name="HasDefault">Whether the parameter has a default value.</param>
/// <param name="SecretName">The secret it is resolved from, for <see cref="SecretAttribute"/> parameters.</param>
/// <param name="IsCancellationToken">True for the <see cref="CancellationToken"/> parameter that receives the run's token.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record ParameterDescriptor(
    string Name,
    Type Type,
    string TypeDisplay,
    bool HasDefault,
    string? SecretName = null,
    bool IsCancellationToken = false);

using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>
/// Marks a generated entry point that runs a <c>[Task]</c> or <c>[Flow]</c> method through the runtime, so that
/// interceptors generated in other assemblies can route their calls of the method to it. Applied by generated code.
/// For generated code; not a stable API for hand-written code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RunEntryPointAttribute(string methodId) : Attribute
{
    /// <summary>The documentation comment id of the method the entry point runs, such as <c>M:Shared.Jobs.Load(System.String)</c>.</summary>
    public string MethodId { get; } = methodId;
}

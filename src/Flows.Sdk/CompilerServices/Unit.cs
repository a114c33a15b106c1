using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>The result of a run whose method returns nothing. For generated code; not a stable API for hand-written code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct Unit
{
    /// <summary>The only value.</summary>
    public static Unit Value => default;
}

using System.ComponentModel;

namespace Flows.CompilerServices;

/// <summary>The result of a run whose method returns nothing.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly record struct Unit
{
    /// <summary>The only value.</summary>
    public static Unit Value => default;
}

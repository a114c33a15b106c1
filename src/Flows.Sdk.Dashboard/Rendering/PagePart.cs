namespace Flows.Dashboard.Rendering;

/// <summary>
/// A part of a page: fixed markup, or a live region the page's script asks for again every refresh interval (answered
/// 304 when it has not changed) and swaps in place. A region renders alone when asked for alone, so a refresh costs
/// only its own queries.
/// </summary>
internal sealed class PagePart
{
    private PagePart(Html fixedMarkup, string? liveName, Func<Task<Html>>? render)
    {
        Fixed = fixedMarkup;
        LiveName = liveName;
        Render = render;
    }

    public Html Fixed { get; }

    /// <summary>The region's name, unique in its page (letters, digits and dashes); null for fixed markup.</summary>
    public string? LiveName { get; }

    public Func<Task<Html>>? Render { get; }

    /// <summary>A live region named <paramref name="name"/>.</summary>
    public static PagePart Live(string name, Func<Task<Html>> render) => new(Html.Empty, name, render);

    public static implicit operator PagePart(Html markup) => new(markup, null, null);
}

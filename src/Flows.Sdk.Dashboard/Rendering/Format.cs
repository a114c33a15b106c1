using System.Globalization;
using Flows.Runs;

namespace Flows.Dashboard.Rendering;

/// <summary>How values read on a page: times (shown in the viewer's zone by the page's script), durations, states.</summary>
internal static class Format
{
    /// <summary>
    /// A time as a <c>&lt;time&gt;</c> element: UTC in the markup, rewritten to the viewer's zone by the page's script
    /// (its title keeps the UTC time). A dash for no time.
    /// </summary>
    public static Html Time(DateTimeOffset? time) => time is { } t
        ? Html.Of($"<time datetime=\"{t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}\">{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>")
        : Html.Raw("<span class=\"none\">—</span>");

    /// <summary>A duration the way people say it: 412 ms, 3.2 s, 4 m 05 s, 2 h 10 m, 3 d 4 h.</summary>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => $"{Math.Max(0, duration.TotalMilliseconds):0} ms",
        { TotalSeconds: < 10 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0} s"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes} m {duration.Seconds:00} s"),
        { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes:00} m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalDays} d {duration.Hours} h"),
    };

    /// <summary>A duration, or a dash.</summary>
    public static Html Duration(TimeSpan? duration) => duration is { } d ? Html.Text(Duration(d)) : Html.Raw("<span class=\"none\">—</span>");

    /// <summary>A state as a badge: coloured and labelled, so it reads without colour too.</summary>
    public static Html State(RunState state) => Html.Of($"<span class=\"state state-{StateClass(state)}\">{state.ToString()}</span>");

    /// <summary>The CSS name of a state (<c>state-failed</c> and so on).</summary>
    public static string StateClass(RunState state) => state.ToString().ToLowerInvariant();
}

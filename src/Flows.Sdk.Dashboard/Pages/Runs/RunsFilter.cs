using System.Globalization;
using System.Text;
using Flows.Runs;
using Flows.Stores;
using Microsoft.AspNetCore.Http;

namespace Flows.Dashboard.Pages.Runs;

/// <summary>
/// The runs page's filters as they live in its URL: flow, deployment, state, tag, a time window (a preset or from-to),
/// and the keyset page (its token, and the tokens of the newer pages before it, so "Newer" can go back).
/// </summary>
internal sealed record RunsFilter
{
    /// <summary>The window when none is asked for.</summary>
    public const string DefaultWindow = "24h";

    /// <summary>The most page tokens kept for going back to newer pages; beyond it, "Newer" starts again from the newest.</summary>
    public const int MaxTrail = 30;

    private const int MaxText = 200;

    /// <summary>The preset windows: their URL value, label, length and bucket size (the chart has 12 to 30 bars).</summary>
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Length, TimeSpan Bucket)> Presets =
    [
        ("1h", "Last hour", TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)),
        ("24h", "Last 24 hours", TimeSpan.FromDays(1), TimeSpan.FromHours(1)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7), TimeSpan.FromHours(6)),
        ("30d", "Last 30 days", TimeSpan.FromDays(30), TimeSpan.FromDays(1)),
    ];

    private static readonly TimeSpan[] CustomBuckets =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(30)];

    public string? Flow { get; init; }

    public string? Deployment { get; init; }

    public RunState? State { get; init; }

    public string? Tag { get; init; }

    /// <summary>A preset's value, or "custom" for <see cref="From"/> to <see cref="To"/>.</summary>
    public string Window { get; init; } = DefaultWindow;

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>The keyset page token of this page; null for the newest.</summary>
    public string? Page { get; init; }

    /// <summary>The tokens of the pages before this one, oldest last ("" for the newest page).</summary>
    public IReadOnlyList<string> Trail { get; init; } = [];

    /// <summary>The filters read from a request's query; or the first thing wrong with them, naming the field.</summary>
    public static (RunsFilter Filter, string? Error) Parse(IQueryCollection query)
    {
        var errors = new List<string>();
        string? Text(string name)
        {
            var value = query[name].ToString().Trim();
            if (value.Length > MaxText)
            {
                errors.Add($"The {name} filter is longer than {MaxText} characters.");
                return null;
            }

            return value.Length == 0 ? null : value;
        }

        RunState? state = null;
        if (Text("state") is { } stateText)
        {
            if (Enum.TryParse<RunState>(stateText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(stateText[0]))
            {
                state = parsed;
            }
            else
            {
                errors.Add($"The state filter '{stateText}' is not a run state: use one of {string.Join(", ", Enum.GetNames<RunState>())}.");
            }
        }

        var from = Time(Text("from"), "from", errors);
        var to = Time(Text("to"), "to", errors);
        // A from or to time makes the window custom whatever the select says: the form sends both, and a time typed in
        // with the select left at its preset must not be ignored.
        var window = from is not null || to is not null ? "custom" : Text("window") ?? DefaultWindow;
        if (window != "custom" && !Presets.Any(p => p.Value == window))
        {
            errors.Add($"The window '{window}' is not one of {string.Join(", ", Presets.Select(p => p.Value))} or custom.");
            window = DefaultWindow;
        }
        else if (window == "custom" && from is null)
        {
            errors.Add("A custom window needs its from time (and optionally its to time), as 2026-01-31T06:00 in UTC or with an offset.");
        }
        else if (window == "custom" && to is { } end && from is { } start && end <= start)
        {
            errors.Add($"The window's to time ({end:u}) is not after its from time ({start:u}).");
        }

        var trail = query["trail"].ToString();
        var filter = new RunsFilter
        {
            Flow = Text("flow"),
            Deployment = Text("deployment"),
            State = state,
            Tag = Text("tag"),
            Window = window,
            From = window == "custom" ? from : null,
            To = window == "custom" ? to : null,
            Page = query["page"].ToString() is { Length: > 0 } page ? page : null,
            Trail = trail.Length == 0 ? [] : trail.Split('.').TakeLast(MaxTrail).ToArray(),
        };
        return (filter, errors.Count == 0 ? null : string.Join(" ", errors));
    }

    /// <summary>
    /// The window on the store: for a preset, ending at the end of the bucket holding <paramref name="now"/> (buckets
    /// aligned to UTC, so the answer is the same, and shared, until the next bucket starts); open when the list should
    /// also show runs created later.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket, bool Open) Range(DateTimeOffset now)
    {
        if (Window == "custom" && From is { } from)
        {
            var to = To ?? Ceiling(now, TimeSpan.FromMinutes(1));
            var span = to - from;
            var bucket = CustomBuckets.FirstOrDefault(b => span / b <= 60);
            if (bucket == default)
            {
                bucket = TimeSpan.FromTicks((long)Math.Ceiling(span.Ticks / 60.0));
            }

            return (from, to, bucket, To is null);
        }

        var preset = Presets.First(p => p.Value == Window);
        var end = Ceiling(now, preset.Bucket);
        return (end - preset.Length, end, preset.Bucket, true);
    }

    /// <summary>The store query of this page of the list.</summary>
    public RunQuery ToRunQuery(DateTimeOffset now, int limit)
    {
        var (from, to, _, open) = Range(now);
        return new RunQuery
        {
            Kind = RunKind.Flow,
            Name = Flow,
            Deployment = Deployment,
            State = State,
            Tag = Tag,
            CreatedAfter = from,
            CreatedBefore = open ? null : to,
            PageToken = Page,
            Limit = limit,
        };
    }

    /// <summary>The statistics query of the window (the state filter left out: the counts show every state).</summary>
    public RunStatisticsQuery ToStatisticsQuery(DateTimeOffset now)
    {
        var (from, to, bucket, _) = Range(now);
        return new RunStatisticsQuery { From = from, To = to, BucketSize = bucket, Name = Flow, Deployment = Deployment, Tag = Tag };
    }

    /// <summary>The query string of these filters (no page), for links and sharing keys: "?flow=…&amp;state=…", or "" for none.</summary>
    public string QueryString(bool withPage = false)
    {
        var parts = new List<(string, string?)>
        {
            ("flow", Flow), ("deployment", Deployment), ("state", State?.ToString()), ("tag", Tag),
            ("window", Window == DefaultWindow ? null : Window),
            ("from", From is { } f ? Iso(f) : null), ("to", To is { } t ? Iso(t) : null),
        };
        if (withPage)
        {
            parts.Add(("page", Page));
            parts.Add(("trail", Trail.Count == 0 ? null : string.Join('.', Trail)));
        }

        var text = new StringBuilder();
        foreach (var (name, value) in parts)
        {
            if (!string.IsNullOrEmpty(value) || (name == "trail" && Trail.Count > 0))
            {
                text.Append(text.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value ?? string.Empty));
            }
        }

        return text.ToString();
    }

    /// <summary>The next (older) page after this one.</summary>
    public RunsFilter Older(string token) => this with { Page = token, Trail = [.. Trail, Page ?? string.Empty] };

    /// <summary>The page before this one (newer), or null on the newest.</summary>
    public RunsFilter? Newer() => Page is null
        ? null
        : this with { Page = Trail.Count == 0 || Trail[^1].Length == 0 ? null : Trail[^1], Trail = Trail.Count == 0 ? [] : Trail.Take(Trail.Count - 1).ToArray() };

    /// <summary>The newest page with these filters.</summary>
    public RunsFilter Newest() => this with { Page = null, Trail = [] };

    /// <summary>A time in the form the filter's inputs show: UTC, to the minute when it has no seconds.</summary>
    public static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString(time.Second == 0 && time.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(string? text, string name, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"The {name} time '{text}' is not a date and time: write it as 2026-01-31T06:00 (UTC) or 2026-01-31T06:00+02:00.");
        return null;
    }

    private static DateTimeOffset Ceiling(DateTimeOffset time, TimeSpan size)
    {
        var ticks = time.UtcTicks;
        var over = ticks % size.Ticks;
        return new DateTimeOffset(over == 0 ? ticks : ticks - over + size.Ticks, TimeSpan.Zero);
    }
}

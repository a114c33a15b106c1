using System.Globalization;
using Flows.CompilerServices;
using Flows.Runs;
using Microsoft.Extensions.Configuration;

namespace Flows.Engine;

/// <summary>
/// Applies per-environment overrides from configuration (<c>Flows:Tasks:&lt;name&gt;:&lt;option&gt;</c> and
/// <c>Flows:Flows:&lt;name&gt;:&lt;option&gt;</c>) to compiled options. A value that does not parse fails with the
/// setting's full path.
/// </summary>
internal static class OptionOverrides
{
    public static RunOptions Apply(RunDescriptor descriptor, IConfiguration? configuration)
    {
        var options = descriptor.Options;
        if (configuration is null)
        {
            return options;
        }

        var section = configuration.GetSection($"Flows:{(descriptor.Kind == RunKind.Flow ? "Flows" : "Tasks")}:{options.Name}");
        if (!section.Exists())
        {
            return options;
        }

        return options with
        {
            Retries = Read(section, nameof(RunOptions.Retries), options.Retries, ParseCount),
            RetryDelaySeconds = Read(section, nameof(RunOptions.RetryDelaySeconds), options.RetryDelaySeconds, ParseSeconds),
            RetryDelaysSeconds = ReadList(section, nameof(RunOptions.RetryDelaysSeconds), options.RetryDelaysSeconds, ParseSeconds),
            Backoff = Read(section, nameof(RunOptions.Backoff), options.Backoff, static s => Enum.TryParse<Backoff>(s, ignoreCase: true, out var b) && Enum.IsDefined(b) ? b : null),
            RetryJitter = Read(section, nameof(RunOptions.RetryJitter), options.RetryJitter, static s => ParseSeconds(s) is { } v && v <= 1 ? v : null),
            TimeoutSeconds = Read(section, nameof(RunOptions.TimeoutSeconds), options.TimeoutSeconds, ParseSeconds),
            MaxConcurrency = Read(section, nameof(RunOptions.MaxConcurrency), options.MaxConcurrency, ParseCount),
            MaxConcurrentRuns = Read(section, nameof(RunOptions.MaxConcurrentRuns), options.MaxConcurrentRuns, ParseCount),
            Overlap = Read(section, nameof(RunOptions.Overlap), options.Overlap, static s => Enum.TryParse<OverlapPolicy>(s, ignoreCase: true, out var o) && Enum.IsDefined(o) ? o : null),
            CacheExpirationSeconds = Read(section, nameof(RunOptions.CacheExpirationSeconds), options.CacheExpirationSeconds, ParseCount),
            RefreshCache = Read(section, nameof(RunOptions.RefreshCache), options.RefreshCache, static s => bool.TryParse(s, out var b) ? b : null),
            Tags = ReadTags(section, options.Tags),
        };
    }

    private static T Read<T>(IConfigurationSection section, string key, T current, Func<string, T?> parse)
        where T : struct
    {
        var raw = section[key];
        if (raw is null)
        {
            return current;
        }

        return parse(raw) ?? throw Invalid(section.GetSection(key).Path, raw, Expected(key));
    }

    private static IReadOnlyList<T> ReadList<T>(IConfigurationSection section, string key, IReadOnlyList<T> current, Func<string, T?> parse)
        where T : struct
    {
        var child = section.GetSection(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0)
        {
            return child.Value is null ? current : [ParseItem(child, child.Value)];
        }

        return [.. items.Select(i => ParseItem(i, i.Value ?? string.Empty))];

        T ParseItem(IConfigurationSection item, string raw) => parse(raw) is { } value ? value : throw Invalid(item.Path, raw, Expected(key));
    }

    /// <summary>Tags come as a list (<c>Tags:0</c>, <c>Tags:1</c>) or one comma-separated value.</summary>
    private static IReadOnlyList<string> ReadTags(IConfigurationSection section, IReadOnlyList<string> current)
    {
        var child = section.GetSection(nameof(RunOptions.Tags));
        var raw = child.GetChildren().Select(c => c.Value ?? string.Empty).ToList();
        if (raw.Count == 0 && child.Value is { } single)
        {
            raw = [.. single.Split(',', StringSplitOptions.TrimEntries)];
        }

        if (raw.Count == 0)
        {
            return current;
        }

        return raw.Any(string.IsNullOrWhiteSpace)
            ? throw Invalid(child.Path, string.Join(",", raw), Expected(nameof(RunOptions.Tags)))
            : raw;
    }

    private static int? ParseCount(string raw) =>
        int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;

    private static double? ParseSeconds(string raw) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v) ? v : null;

    private static string Expected(string key) => key switch
    {
        nameof(RunOptions.Backoff) => "one of Constant, Linear, Exponential",
        nameof(RunOptions.Overlap) => "one of Queue, Skip, CancelNew",
        nameof(RunOptions.RetryJitter) => "a number from 0 to 1",
        nameof(RunOptions.Tags) => "a non-empty tag",
        nameof(RunOptions.RefreshCache) => "true or false",
        nameof(RunOptions.RetryDelaySeconds) or nameof(RunOptions.RetryDelaysSeconds) or nameof(RunOptions.TimeoutSeconds) => "a number of seconds, 0 or more",
        _ => "a whole number, 0 or more",
    };

    private static InvalidOperationException Invalid(string path, string raw, string expected) =>
        new($"Configuration value '{path}' = '{raw}' is not valid: expected {expected}.");
}

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Flows.Limits;

/// <summary>
/// The tag limits an engine enforces, read once when it is created from <see cref="FlowEngineOptions"/> and then
/// configuration (<c>Flows:Limits:&lt;tag&gt; = 4</c>, <c>Flows:RateLimits:&lt;tag&gt; = "10/1s"</c>), which wins
/// per tag. Every value is checked here, so a bad one stops start-up with the setting's name instead of surfacing
/// at the first run that needs it.
/// </summary>
internal sealed class LimitSettings
{
    public const string LimitsSection = "Flows:Limits";
    public const string RateLimitsSection = "Flows:RateLimits";
    public const string ScopeKey = "Flows:LimitScope";

    private const string LimitExpected = "a whole number of runs at a time, from 1 to 2147483647 (remove the setting to leave the tag unlimited)";
    private const string RateExpected = RateLimit.Format;

    private LimitSettings(Dictionary<string, int> limits, Dictionary<string, RateLimit> rateLimits, LimitScope scope)
    {
        Limits = limits;
        RateLimits = rateLimits;
        Scope = scope;
    }

    /// <summary>Concurrency limits by tag, tags compared ignoring case as configuration keys are.</summary>
    public IReadOnlyDictionary<string, int> Limits { get; }

    public IReadOnlyDictionary<string, RateLimit> RateLimits { get; }

    /// <summary>Where the limits are counted: <see cref="FlowEngineOptions.LimitScope"/>, else <c>Flows:LimitScope</c>, else the store's.</summary>
    public LimitScope Scope { get; }

    public static LimitSettings Read(FlowEngineOptions options, IConfiguration? configuration)
    {
        var limits = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (tag, limit) in options.Limits)
        {
            var setting = $"{nameof(FlowEngineOptions)}.{nameof(FlowEngineOptions.Limits)}[\"{tag}\"]";
            limits[CheckTag(tag, setting)] = limit > 0 ? limit : throw InCode(setting, limit.ToString(CultureInfo.InvariantCulture), LimitExpected);
        }

        var rateLimits = new Dictionary<string, RateLimit>(StringComparer.OrdinalIgnoreCase);
        foreach (var (tag, rate) in options.RateLimits)
        {
            var setting = $"{nameof(FlowEngineOptions)}.{nameof(FlowEngineOptions.RateLimits)}[\"{tag}\"]";
            rateLimits[CheckTag(tag, setting)] = rate.IsValid ? rate : throw InCode(setting, rate.ToString(), RateExpected);
        }

        if (configuration is not null)
        {
            Configure(configuration.GetSection(LimitsSection), limits, ParseLimit, LimitExpected);
            Configure(configuration.GetSection(RateLimitsSection), rateLimits, static raw => RateLimit.TryParse(raw, out var rate) ? rate : null, RateExpected);
        }

        return new LimitSettings(limits, rateLimits, options.LimitScope ?? ReadScope(configuration));
    }

    private static void Configure<T>(IConfigurationSection section, Dictionary<string, T> into, Func<string, T?> parse, string expected)
        where T : struct
    {
        foreach (var child in section.GetChildren())
        {
            // A child with children of its own has no value: "Flows:Limits:van-api:x = 4" is a typo, not a limit.
            var raw = child.Value;
            into[child.Key] = raw is not null && parse(raw) is { } value ? value : throw InConfiguration(child.Path, raw ?? "(a section)", expected);
        }
    }

    private static LimitScope ReadScope(IConfiguration? configuration)
    {
        var raw = configuration?[ScopeKey];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return LimitScope.Store;
        }

        return Enum.TryParse<LimitScope>(raw.Trim(), ignoreCase: true, out var scope) && Enum.IsDefined(scope) && !char.IsAsciiDigit(raw.Trim()[0])
            ? scope
            : throw InConfiguration(ScopeKey, raw, "Store (shared by every process on the run store when it can share limits, the default) or Process (counted in each process)");
    }

    private static int? ParseLimit(string raw) =>
        int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) && limit > 0 ? limit : null;

    private static string CheckTag(string tag, string setting) =>
        string.IsNullOrWhiteSpace(tag) ? throw new ArgumentException($"{setting} is not valid: a tag must be non-empty.", "options") : tag;

    private static ArgumentException InCode(string setting, string value, string expected) =>
        new($"{setting} = {value} is not valid: expected {expected}.", "options");

    private static InvalidOperationException InConfiguration(string path, string raw, string expected) =>
        new($"Configuration value '{path}' = '{raw}' is not valid: expected {expected}.");
}

/// <summary>Copies limit settings between option objects (harness → engine).</summary>
internal static class LimitDictionaryExtensions
{
    public static void CopyFrom<T>(this IDictionary<string, T> into, IEnumerable<KeyValuePair<string, T>> from)
    {
        foreach (var (key, value) in from)
        {
            into[key] = value;
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Flows.Notifications.Rules;

/// <summary>
/// The rules declared in configuration, each named by its key, so what is watched and who hears of it can differ per
/// environment:
/// <code>
/// "Flows": { "Notifications": { "Rules": {
///   "voter-sync-failures": { "Events": "Failed, Crashed, TimedOut, Recovered", "Flows": [ "voter-sync*" ], "Channels": [ "slack" ] },
///   "nightly-load-silent": { "NotSucceededWithin": { "Deployment": "nightly-load", "Window": "1.02:00:00" }, "Channels": "oncall" },
///   "late-runs":           { "LateAfter": "00:10:00", "Channels": "slack" },
///   "stalled-runs":        { "RunningLongerThan": "02:00:00", "Channels": "slack", "GroupFor": "04:00:00" }
/// } } }
/// </code>
/// A setting that is unknown or unusable is an error at start naming the rule and the key; the rule itself is then
/// checked like one declared in code.
/// </summary>
internal static class RuleConfiguration
{
    /// <summary>The section read, under the notifications section.</summary>
    public const string Section = NotificationsOptions.Section + ":Rules";

    private static readonly string[] Keys = ["Events", "Flows", "Deployments", "LateAfter", "RunningLongerThan", "NotSucceededWithin", "GroupFor", "Channels"];

    /// <summary>A builder per rule under <see cref="Section"/>; throws naming the rule and key when a setting is unusable.</summary>
    public static IReadOnlyList<NotificationRuleBuilder> Read(IConfiguration? configuration) =>
        configuration is null ? [] : [.. configuration.GetSection(Section).GetChildren().Select(Build)];

    private static NotificationRuleBuilder Build(IConfigurationSection rule)
    {
        foreach (var child in rule.GetChildren().Where(c => !Keys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            throw Invalid(rule, child.Path, $"is not a setting of a rule; known: {string.Join(", ", Keys)}.");
        }

        var builder = new NotificationRuleBuilder().Named(rule.Key);
        if (List(rule, "Events") is { Length: > 0 } events)
        {
            builder.When(events.Aggregate(RunEvent.None, (all, name) => all | Event(rule, name)));
        }

        builder.ForFlows(List(rule, "Flows"));
        builder.ForDeployments(List(rule, "Deployments"));
        builder.To(List(rule, "Channels"));
        if (Time(rule, "LateAfter") is { } lateAfter)
        {
            builder.WhenLate(lateAfter);
        }

        if (Time(rule, "RunningLongerThan") is { } limit)
        {
            builder.WhenRunningLongerThan(limit);
        }

        if (Time(rule, "GroupFor") is { } groupFor)
        {
            builder.GroupFor(groupFor);
        }

        var silent = rule.GetSection("NotSucceededWithin");
        if (silent.Exists())
        {
            var deployment = silent["Deployment"];
            if (string.IsNullOrWhiteSpace(deployment))
            {
                throw Invalid(rule, $"{silent.Path}:Deployment", "is required: the deployment that must complete a run.");
            }

            var window = Time(silent, "Window", rule) ?? throw Invalid(rule, $"{silent.Path}:Window", "is required: a time span such as 1.02:00:00.");
            builder.WhenNotSucceededWithin(deployment.Trim(), window);
        }

        return builder;
    }

    private static RunEvent Event(IConfigurationSection rule, string name) =>
        Enum.TryParse<RunEvent>(name, true, out var kind) && kind != RunEvent.None && !name.Any(char.IsAsciiDigit) && Enum.IsDefined(kind)
            ? kind
            : throw Invalid(rule, $"{rule.Path}:Events", $"names '{name}', which is not an event: {string.Join(", ", Enum.GetNames<RunEvent>().Where(n => n != nameof(RunEvent.None)))}.");

    /// <summary>A list given as an array or as one comma-separated value.</summary>
    private static string[] List(IConfigurationSection rule, string key)
    {
        var section = rule.GetSection(key);
        var values = section.Value is { } one ? one.Split([',', ';', '|'], StringSplitOptions.RemoveEmptyEntries) : section.GetChildren().Select(c => c.Value ?? string.Empty);
        return [.. values.Select(v => v.Trim()).Where(v => v.Length > 0)];
    }

    private static TimeSpan? Time(IConfigurationSection section, string key, IConfigurationSection? rule = null)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return TimeSpan.TryParse(value.Trim(), CultureInfo.InvariantCulture, out var time) && time > TimeSpan.Zero
            ? time
            : throw Invalid(rule ?? section, $"{section.Path}:{key}", "must be a positive time span such as 00:10:00.");
    }

    private static InvalidOperationException Invalid(IConfigurationSection rule, string setting, string problem) =>
        new($"Notification rule '{rule.Key}': {setting} {problem}");
}

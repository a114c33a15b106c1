using System.Text.RegularExpressions;
using Flows.Runs;

namespace Flows.Notifications.Rules;

/// <summary>
/// The application's rules and channels, checked once when the host starts: a rule with no event or no channel, naming
/// a channel that does not exist, or two channels with one name, is an error naming the rule or channel.
/// </summary>
internal sealed class NotificationRules
{
    private NotificationRules(IReadOnlyList<CompiledRule> rules, IReadOnlyDictionary<string, INotificationChannel> channels)
    {
        Rules = rules;
        Channels = channels;
    }

    public IReadOnlyList<CompiledRule> Rules { get; }

    public IReadOnlyDictionary<string, INotificationChannel> Channels { get; }

    /// <summary>
    /// Builds and checks the rules of <paramref name="options"/> and <paramref name="extraRules"/> (from configuration)
    /// against the options' channels and <paramref name="extraChannels"/> (from the container and configuration).
    /// </summary>
    public static NotificationRules Create(NotificationsOptions options, IEnumerable<INotificationChannel> extraChannels, IEnumerable<NotificationRuleBuilder>? extraRules = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builders = options.Rules.Concat(extraRules ?? []).ToList();
        var channels = new Dictionary<string, INotificationChannel>(StringComparer.Ordinal);
        var declared = options.Channels.Concat(extraChannels).Concat(builders.SelectMany(r => r.ChannelInstances));
        foreach (var channel in declared)
        {
            if (string.IsNullOrWhiteSpace(channel.Name))
            {
                throw new InvalidOperationException($"A notification channel ({channel.GetType().Name}) has no name: every channel needs one, unique, for rules to name it.");
            }

            if (channels.TryGetValue(channel.Name, out var existing) && !ReferenceEquals(existing, channel))
            {
                throw new InvalidOperationException($"Two notification channels are named '{channel.Name}': a channel's name must be unique.");
            }

            channels[channel.Name] = channel;
        }

        var rules = new List<CompiledRule>();
        foreach (var builder in builders)
        {
            var rule = builder.Build();

            // Made-up names of rules alike but for their channels ("Failed *" to Slack, "Failed *" to e-mail) say the channels.
            if (!builder.IsNamed && rules.Any(r => string.Equals(r.Rule.Name, rule.Name, StringComparison.Ordinal)))
            {
                rule = rule with { Name = $"{rule.Name} to {string.Join(",", rule.Channels)}" };
            }

            Check(rule, channels);
            if (rules.Any(r => string.Equals(r.Rule.Name, rule.Name, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"Two notification rules are named '{rule.Name}': name one with Named(...); a rule's name keys its records.");
            }

            rules.Add(new CompiledRule(rule));
        }

        return new NotificationRules(rules, channels);
    }

    private static void Check(NotificationRule rule, Dictionary<string, INotificationChannel> channels)
    {
        if (rule.Events is RunEvent.None or RunEvent.Recovered)
        {
            throw new InvalidOperationException($"Notification rule '{rule.Name}' notifies no event: call When(...), WhenLate, WhenRunningLongerThan or WhenNotSucceededWithin (WhenRecovered alone has no failures to recover from).");
        }

        if (rule.Channels.Count == 0)
        {
            throw new InvalidOperationException($"Notification rule '{rule.Name}' sends to no channel: call To(...).");
        }

        if (rule.Channels.FirstOrDefault(n => !channels.ContainsKey(n)) is { } unknown)
        {
            var known = channels.Count == 0 ? "none is declared" : "declared: " + string.Join(", ", channels.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException($"Notification rule '{rule.Name}' sends to channel '{unknown}', which does not exist ({known}). Declare it with o.Channel(...) or under Flows:Notifications:Channels:{unknown}.");
        }

        if (rule.Events.HasFlag(RunEvent.Stalled) && rule.RunningLongerThan is not { Ticks: > 0 })
        {
            throw new InvalidOperationException($"Notification rule '{rule.Name}' notifies Stalled runs without a limit: use WhenRunningLongerThan(limit) with a positive limit.");
        }

        if (rule.Events.HasFlag(RunEvent.Silent) && rule.NotSucceededWithin is not { Window.Ticks: > 0 })
        {
            throw new InvalidOperationException($"Notification rule '{rule.Name}' notifies Silent deployments without a window: use WhenNotSucceededWithin(deployment, window) with a positive window.");
        }

        if (rule.LateAfter is { Ticks: < 0 } || rule.GroupFor is { Ticks: < 0 })
        {
            throw new InvalidOperationException($"Notification rule '{rule.Name}' has a negative time span (WhenLate or GroupFor).");
        }
    }
}

/// <summary>A checked rule with its patterns compiled.</summary>
internal sealed class CompiledRule(NotificationRule rule)
{
    private readonly Regex[] _flows = [.. rule.Flows.Select(Glob)];
    private readonly Regex[] _deployments = [.. rule.Deployments.Select(Glob)];

    public NotificationRule Rule { get; } = rule;

    /// <summary>True when the rule watches runs of <paramref name="flow"/> started by <paramref name="deployment"/> (null: by none).</summary>
    public bool Watches(string flow, string? deployment) =>
        (_flows.Length == 0 || _flows.Any(p => p.IsMatch(flow)))
        && (_deployments.Length == 0 || (deployment is not null && _deployments.Any(p => p.IsMatch(deployment))));

    /// <summary>True when the rule watches <paramref name="run"/>.</summary>
    public bool Watches(RunRecord run) => Watches(run.Name, run.Deployment);

    /// <summary><c>*</c> matches any run of characters, everything else itself, the whole name, case included.</summary>
    internal static Regex Glob(string pattern) =>
        new("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

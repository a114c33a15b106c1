namespace Flows.Notifications;

/// <summary>
/// Declares one rule: <c>n.When(RunEvent.Failed | RunEvent.Crashed).ForFlows("voter-sync*").To(slack)</c>. Checked when
/// the application starts: a rule with no event or no channel, or naming a channel that does not exist, is an error
/// naming the rule.
/// </summary>
public sealed class NotificationRuleBuilder
{
    private readonly List<string> _flows = [];
    private readonly List<string> _deployments = [];
    private readonly List<string> _channels = [];
    private readonly List<INotificationChannel> _channelInstances = [];
    private RunEvent _events;
    private string? _name;
    private TimeSpan? _lateAfter;
    private TimeSpan? _runningLongerThan;
    private (string, TimeSpan)? _notSucceededWithin;
    private TimeSpan? _groupFor;

    /// <summary>Names the rule (defaults to one made from its events and patterns).</summary>
    public NotificationRuleBuilder Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        return this;
    }

    /// <summary>Notifies these events (combine with <c>|</c>).</summary>
    public NotificationRuleBuilder When(RunEvent events)
    {
        _events |= events;
        return this;
    }

    /// <summary>Notifies a scheduled run still not started <paramref name="after"/> its slot.</summary>
    public NotificationRuleBuilder WhenLate(TimeSpan? after = null)
    {
        _events |= RunEvent.Late;
        _lateAfter = after;
        return this;
    }

    /// <summary>Notifies a run still running after <paramref name="limit"/> (stalled).</summary>
    public NotificationRuleBuilder WhenRunningLongerThan(TimeSpan limit)
    {
        _events |= RunEvent.Stalled;
        _runningLongerThan = limit;
        return this;
    }

    /// <summary>Notifies when <paramref name="deployment"/> has completed no run for <paramref name="window"/> (it silently stopped producing runs).</summary>
    public NotificationRuleBuilder WhenNotSucceededWithin(string deployment, TimeSpan window)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        _events |= RunEvent.Silent;
        _notSucceededWithin = (deployment, window);
        return this;
    }

    /// <summary>Also notifies when a flow or deployment this rule notified failures of completes again.</summary>
    public NotificationRuleBuilder WhenRecovered()
    {
        _events |= RunEvent.Recovered;
        return this;
    }

    /// <summary>Only runs of flows matching these patterns (<c>*</c> matches any run of characters).</summary>
    public NotificationRuleBuilder ForFlows(params string[] patterns)
    {
        _flows.AddRange(patterns);
        return this;
    }

    /// <summary>Only runs started by deployments matching these patterns.</summary>
    public NotificationRuleBuilder ForDeployments(params string[] patterns)
    {
        _deployments.AddRange(patterns);
        return this;
    }

    /// <summary>Groups further events of an incident for <paramref name="window"/> after its first notification.</summary>
    public NotificationRuleBuilder GroupFor(TimeSpan window)
    {
        _groupFor = window;
        return this;
    }

    /// <summary>Sends to these channels, by name (declared with <c>o.Channel(...)</c> or in configuration).</summary>
    public NotificationRuleBuilder To(params string[] channels)
    {
        _channels.AddRange(channels);
        return this;
    }

    /// <summary>Sends to these channels (added to the application's channels under their names).</summary>
    public NotificationRuleBuilder To(params INotificationChannel[] channels)
    {
        _channelInstances.AddRange(channels);
        _channels.AddRange(channels.Select(c => c.Name));
        return this;
    }

    internal IReadOnlyList<INotificationChannel> ChannelInstances => _channelInstances;

    /// <summary>True when the rule was given its name (<see cref="Named"/>) rather than made one.</summary>
    internal bool IsNamed => _name is not null;

    internal NotificationRule Build() => new()
    {
        Name = _name ?? DefaultName(),
        Events = _events,
        Flows = [.. _flows],
        Deployments = [.. _deployments],
        LateAfter = _lateAfter,
        RunningLongerThan = _runningLongerThan,
        NotSucceededWithin = _notSucceededWithin,
        Channels = [.. _channels.Distinct(StringComparer.Ordinal)],
        GroupFor = _groupFor,
    };

    private string DefaultName()
    {
        var scope = _deployments.Count > 0 ? string.Join(",", _deployments) : _flows.Count > 0 ? string.Join(",", _flows) : "*";
        return $"{_events.ToString().Replace(", ", "|", StringComparison.Ordinal)} {scope}";
    }
}

namespace Flows.Notifications;

/// <summary>A rule as declared: which events of which flows or deployments go to which channels. Built by <see cref="NotificationRuleBuilder"/>.</summary>
public sealed record NotificationRule
{
    /// <summary>The rule's name (given, or made from what it watches): how records and messages name it.</summary>
    public required string Name { get; init; }

    /// <summary>The events it notifies.</summary>
    public RunEvent Events { get; init; }

    /// <summary>Flow name patterns (<c>*</c> matches any run of characters); empty: every flow.</summary>
    public IReadOnlyList<string> Flows { get; init; } = [];

    /// <summary>Deployment name patterns; empty: every deployment, and runs started by none.</summary>
    public IReadOnlyList<string> Deployments { get; init; } = [];

    /// <summary>For <see cref="RunEvent.Late"/>: how late a scheduled run may be before it is notified; null: the deployment's own threshold.</summary>
    public TimeSpan? LateAfter { get; init; }

    /// <summary>For <see cref="RunEvent.Stalled"/>: how long a run may run.</summary>
    public TimeSpan? RunningLongerThan { get; init; }

    /// <summary>For <see cref="RunEvent.Silent"/>: the deployment that must complete a run, and within what window.</summary>
    public (string Deployment, TimeSpan Window)? NotSucceededWithin { get; init; }

    /// <summary>The channels it sends to, by name.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>How long after an incident's first notification further events of it are grouped instead of sent; null: the options' default.</summary>
    public TimeSpan? GroupFor { get; init; }
}

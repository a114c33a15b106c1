namespace Flows.Notifications;

/// <summary>What happened to a flow run that a rule can notify about. Combine with <c>|</c>.</summary>
[Flags]
public enum RunEvent
{
    /// <summary>No event.</summary>
    None = 0,

    /// <summary>A flow run ended Failed (after its retries).</summary>
    Failed = 1,

    /// <summary>A flow run ended Crashed: the process running it died.</summary>
    Crashed = 2,

    /// <summary>A flow run ended TimedOut.</summary>
    TimedOut = 4,

    /// <summary>A flow run ended Cancelled.</summary>
    Cancelled = 8,

    /// <summary>A flow run ended Completed.</summary>
    Completed = 16,

    /// <summary>A scheduled run did not start within its deployment's late threshold, or the rule's (<see cref="NotificationRuleBuilder.WhenLate"/>).</summary>
    Late = 32,

    /// <summary>A flow run has been running longer than the rule allows (<see cref="NotificationRuleBuilder.WhenRunningLongerThan"/>).</summary>
    Stalled = 64,

    /// <summary>A deployment produced no Completed run within the rule's window (<see cref="NotificationRuleBuilder.WhenNotSucceededWithin"/>).</summary>
    Silent = 128,

    /// <summary>A flow (or deployment) completed after an incident of failures this rule notified (<see cref="NotificationRuleBuilder.WhenRecovered"/>).</summary>
    Recovered = 256,

    /// <summary>Failed, Crashed or TimedOut: every way a run ends in error.</summary>
    AnyFailure = Failed | Crashed | TimedOut,
}

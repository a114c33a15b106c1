using Quartz;

namespace Flows.Orchestration.Running;

/// <summary>How deployments are laid out in the job store: one durable job per deployment, its keys and what its data map holds.</summary>
internal static class JobData
{
    /// <summary>The group of every deployment's job and triggers; nothing else in the scheduler is touched by reconcile.</summary>
    public const string Group = "flows";

    /// <summary>The group of one-shot backfill triggers.</summary>
    public const string BackfillGroup = "flows-backfill";

    /// <summary>The deployment's <see cref="Deployments.DeploymentDefinition"/> as JSON.</summary>
    public const string Definition = "flows.definition";

    /// <summary>The content hash of <see cref="Definition"/>.</summary>
    public const string Hash = "flows.hash";

    /// <summary>The code version of the process that wrote the job.</summary>
    public const string Version = "flows.version";

    /// <summary>The application that wrote the job (<see cref="OrchestrationOptions.Application"/>); empty when none was given.</summary>
    public const string Application = "flows.application";

    /// <summary>On a backfill trigger: the slot it runs, as a round-trip ("O") string.</summary>
    public const string BackfillSlot = "flows.slot";

    public static JobKey JobKey(string deployment) => new(deployment, Group);

    /// <summary>The key of a deployment's n-th Quartz trigger (a crontab may need two).</summary>
    public static TriggerKey TriggerKey(string deployment, int index) => new($"{deployment}#{index}", Group);
}

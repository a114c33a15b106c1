namespace Flows.Orchestration;

/// <summary>What <see cref="IDeployments.BackfillAsync"/> found in its window and scheduled.</summary>
public sealed record BackfillResult
{
    /// <summary>The deployment backfilled.</summary>
    public required string Deployment { get; init; }

    /// <summary>Every slot of the window, oldest first (a slot two schedules share is listed once).</summary>
    public required IReadOnlyList<DateTimeOffset> Slots { get; init; }

    /// <summary>Slots scheduled to run now by this call.</summary>
    public int Scheduled { get; init; }

    /// <summary>Slots skipped because a run of them exists already or an earlier backfill has them waiting to run.</summary>
    public int AlreadyDone { get; init; }
}

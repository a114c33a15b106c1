namespace Flows.Engine;

/// <summary>
/// What a run started by name is given instead of a new id (see <see cref="RunByName"/>): its id, and for a run of a
/// deployment the deployment, its slot and its tags. With <see cref="Continues"/> the run is stored already
/// (Scheduled or Late, created at <see cref="CreatedAt"/>): the engine continues it rather than creating it.
/// Ordinary calls of a flow or task have none, and pay nothing for it.
/// </summary>
/// <param name="Id">The run's id.</param>
internal sealed record RunOrigin(Guid Id)
{
    /// <summary>The deployment that started the run, or null.</summary>
    public string? Deployment { get; init; }

    /// <summary>The slot the run was scheduled for, or null.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>The run's tags (the flow's, then the start's), or null for the flow's own.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>When the stored run was created, for a run that <see cref="Continues"/>.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the stored run was taken up to start (claimed), for a run that <see cref="Continues"/>: where its own time begins, its wait for its slot behind it.</summary>
    public DateTimeOffset ContinuedAt { get; init; }

    /// <summary>True when the run is stored already and its earlier transitions stay: its Pending is a transition of its own, at its start.</summary>
    public bool Continues { get; init; }

    /// <summary>
    /// For the retry of a crashed run (see <see cref="RunByName.TryRetryCrashedAsync"/>): the attempt its claim counted,
    /// the one it is about to make; its earlier attempts count towards its retries, and its Pending transition is the
    /// claim's. 0 for every other run.
    /// </summary>
    public int ClaimedAttempt { get; init; }

    /// <summary>The attempts made before this process took the run up: those of a crashed run it retries, else 0.</summary>
    public int AttemptsBefore => Math.Max(ClaimedAttempt - 1, 0);

    /// <summary>When a retried run's first attempt started, kept as its start.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

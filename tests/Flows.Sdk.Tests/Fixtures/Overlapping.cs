using Flows.Runs;

namespace Flows.Tests.Fixtures;

/// <summary>Flows limited to one run at a time under each overlap policy; each run waits for <see cref="Release"/>.</summary>
public sealed class Overlapping
{
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> Calls { get; } = [];

    [Flow("overlap-queue", MaxConcurrentRuns = 1)]
    public async Task<int> Queue(int id)
    {
        await Release.Task;
        return id;
    }

    [Flow("overlap-queue-sync", MaxConcurrentRuns = 2)]
    public static int QueueSync(int id) => id;

    [Flow("overlap-queue-token", MaxConcurrentRuns = 1)]
    public async Task<int> QueueWithToken(int id, CancellationToken cancellationToken)
    {
        await Release.Task.WaitAsync(cancellationToken);
        return id;
    }

    [Flow("overlap-skip", MaxConcurrentRuns = 1, Overlap = OverlapPolicy.Skip)]
    public async Task<int> Skip(int id)
    {
        await Release.Task;
        return id;
    }

    [Flow("overlap-cancel-new", MaxConcurrentRuns = 1, Overlap = OverlapPolicy.CancelNew, OnCancellation = nameof(Cancelled), OnFailure = nameof(Failed))]
    public async Task<int> CancelNew(int id)
    {
        await Release.Task;
        return id;
    }

    public void Cancelled(RunRecord run) => Calls.Add($"cancelled {run.State} {run.Error}");

    public void Failed(RunRecord run) => Calls.Add($"failed {run.State}");
}

using Quartz;

namespace Flows.Orchestration.Cluster;

/// <summary>Wake-up and cancel signals between the replicas of a cluster (a no-op placeholder until the PostgreSQL signals replace it).</summary>
internal sealed class ClusterSignals : IAsyncDisposable
{
    public event Action<Guid>? CancelRequested
    {
        add { }
        remove { }
    }

    public Task NotifyWorkAsync(string queue, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task NotifyCancelAsync(Guid runId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartListeningAsync(IScheduler scheduler, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using System.Diagnostics;
using Flows.Runs;

namespace Flows.Stores;

/// <summary>The one node of an in-memory store: this process, always alive, with its flow runs in progress.</summary>
public sealed partial class InMemoryRunStore
{
    private readonly Guid _nodeId = Guid.CreateVersion7();
    private readonly DateTimeOffset _startedAt;
    private NodeDescription? _description;

    /// <inheritdoc />
    public Task<IReadOnlyList<StoreNode>> ListNodesAsync(int runsPerNode = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(runsPerNode);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(runsPerNode, 1000);
        var inProgress = Runs()
            .Select((run, sequence) => (Run: Record(run), Sequence: sequence))
            .Where(e => e.Run.Kind == RunKind.Flow && e.Run.State is RunState.Pending or RunState.Running or RunState.Retrying)
            .OrderByDescending(e => e.Run.CreatedAt)
            .ThenByDescending(e => e.Sequence)
            .Select(e => e.Run)
            .ToList();
        var now = _timeProvider.GetUtcNow();
        IReadOnlyList<StoreNode> nodes =
        [
            new StoreNode
            {
                Id = _nodeId,
                Machine = Environment.MachineName,
                ProcessId = Environment.ProcessId,
                ProcessStartedAt = ProcessStartedAt.Value,
                StartedAt = _startedAt,
                LastHeartbeat = now,
                SinceHeartbeat = TimeSpan.Zero,
                Health = NodeHealth.Alive,
                IsCurrent = true,
                Description = Volatile.Read(ref _description),
                RunsInProgress = inProgress.Count,
                Runs = [.. inProgress.Take(runsPerNode).Select(r => new NodeRun(r.Id, r.Name, r.State, r.StartedAt, r.Deployment))],
            },
        ];
        return Task.FromResult(nodes);
    }

    /// <inheritdoc />
    public Task DescribeNodeAsync(NodeDescription description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        Volatile.Write(ref _description, description);
        return Task.CompletedTask;
    }

    private static readonly Lazy<DateTimeOffset?> ProcessStartedAt = new(() =>
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    });
}

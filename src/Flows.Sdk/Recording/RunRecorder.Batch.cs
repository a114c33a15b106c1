using Flows.Engine;
using Flows.Runs;
using Flows.Stores;

namespace Flows.Recording;

/// <summary>The batch the writer builds from one drain of the queue.</summary>
internal sealed partial class RunRecorder
{
    /// <summary>The writes of one drain: runs (each read once, as it is when drained), their new transitions, and the rest.</summary>
    private sealed class Batch
    {
        private readonly List<RunRecord> _runs = [];
        private readonly Dictionary<Guid, int> _runIndex = [];
        private readonly List<StateTransition> _transitions = [];
        private readonly List<RunLogEntry> _logs = [];
        private readonly List<RunArtifact> _artifacts = [];
        private readonly List<Flush> _flushes = [];

        public List<CacheEntry> CacheEntries { get; } = [];

        public bool IsEmpty => _runs.Count == 0 && _transitions.Count == 0 && _logs.Count == 0 && _artifacts.Count == 0 && CacheEntries.Count == 0;

        public void Add(Write write)
        {
            switch (write.Item)
            {
                case RunContext run:
                    Add(run.TakeChanges(_transitions));
                    break;
                case RunLogEntry log:
                    _logs.Add(log);
                    break;
                case RunArtifact artifact:
                    _artifacts.Add(artifact);
                    break;
                case CacheEntry entry:
                    CacheEntries.Add(entry);
                    break;
                default:
                    _flushes.Add((Flush)write.Item);
                    break;
            }
        }

        public RunWriteBatch ToWriteBatch() => new()
        {
            Runs = _runs,
            Transitions = _transitions,
            Logs = _logs,
            Artifacts = _artifacts,
            CacheEntries = CacheEntries,
        };

        /// <summary>The flow run of a run whose record is in this batch (a run's transitions are taken with its record).</summary>
        public Guid? FlowRunOf(Guid runId) => _runIndex.TryGetValue(runId, out var index) ? _runs[index].FlowRunId : null;

        /// <summary>
        /// Completes the flushes: each fails with <paramref name="lost"/> when the batch was given up, or when a write of
        /// its flow run was dropped (<paramref name="refusedByFlow"/>, which forgets it then); the others succeed.
        /// </summary>
        public void Complete(Dictionary<Guid, string> refusedByFlow, RunStoreException? lost)
        {
            foreach (var flush in _flushes)
            {
                if (lost is not null)
                {
                    flush.TrySetException(Fresh(lost));
                }
                else if (flush.FlowRunId is { } flow && refusedByFlow.Remove(flow, out var refused))
                {
                    flush.TrySetException(new RunStoreException(refused));
                }
                else
                {
                    flush.TrySetResult();
                }
            }
        }

        public void Clear()
        {
            _runs.Clear();
            _runIndex.Clear();
            _transitions.Clear();
            _logs.Clear();
            _artifacts.Clear();
            CacheEntries.Clear();
            _flushes.Clear();
        }

        /// <summary>A run's records collapse to the last one, kept at the place of the first.</summary>
        private void Add(RunRecord run)
        {
            if (_runIndex.TryGetValue(run.Id, out var index))
            {
                _runs[index] = run;
            }
            else
            {
                _runIndex[run.Id] = _runs.Count;
                _runs.Add(run);
            }
        }
    }
}

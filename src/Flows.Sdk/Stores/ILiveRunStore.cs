using Flows.Runs;

namespace Flows.Stores;

/// <summary>
/// A capability of the store contract: a store that keeps runs in process memory may keep the live run itself
/// instead of copies of its record. The engine's recorder hands such a store each run once, when it is created
/// (<see cref="Track"/>), and never writes that run's changes: the store reads the run's record and transitions from
/// the run whenever it is queried, so recording a state costs nothing. Only a store whose writes complete inline
/// (<see cref="IRunStore.WritesInline"/>) can offer it; any other store gets every change through
/// <see cref="IRunStore.WriteAsync"/>. A write the store is given for a tracked run (a record or transitions written
/// by hand) replaces the live run with a stored copy first.
/// </summary>
internal interface ILiveRunStore : IRunStore
{
    /// <summary>Keeps <paramref name="run"/>, just created, as it is: its record and transitions are read from it from now on.</summary>
    void Track(ILiveRun run);
}

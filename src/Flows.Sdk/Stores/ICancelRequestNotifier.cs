namespace Flows.Stores;

/// <summary>
/// A run store that tells the engines on it of each cancel request (<see cref="IRunStore.RequestCancelAsync"/>) as it is
/// stored, because they share its process: an engine on such a store acts on a request at once instead of asking the
/// store for requests about once a second.
/// </summary>
public interface ICancelRequestNotifier
{
    /// <summary>Raised for each cancel request stored.</summary>
    event Action<RunCancelRequest>? CancelRequested;
}

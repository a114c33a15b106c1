using Flows.Stores;

namespace Flows.Cli.Commands;

// TEMPORARY until the store's own IRunStore.RequestCancelAsync is merged (an instance method wins over this extension,
// so the call in CancelVerb binds to the store's once it exists; this file is then deleted).
internal static class CancelRequestsShim
{
    public static ValueTask<bool> RequestCancelAsync(this IRunStore store, Guid runId, string reason, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{store.GetType().Name} cannot record cancel requests yet.");
}

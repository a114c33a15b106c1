using System.Threading.RateLimiting;

namespace Flows.Concurrency;

/// <summary>The leases one attempt holds; disposing gives every slot back. The default value holds nothing.</summary>
internal readonly struct RunSlots(RateLimitLease?[]? leases) : IDisposable
{
    public void Dispose()
    {
        if (leases is null)
        {
            return;
        }

        foreach (var lease in leases)
        {
            lease?.Dispose();
        }
    }
}

using Microsoft.Extensions.Hosting;

namespace Flows.Hosting;

/// <summary>
/// Opens the host's store (migrating it and marking runs of processes that died as crashed) and makes the engine the
/// application default while the host runs; on shutdown, writes what runs recorded to the store.
/// </summary>
internal sealed class FlowEngineService(FlowEngine engine) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await engine.Store.OpenAsync(cancellationToken).ConfigureAwait(false);
        FlowEngine.Default = engine;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (ReferenceEquals(FlowEngine.Default, engine))
        {
            FlowEngine.Default = null;
        }

        await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

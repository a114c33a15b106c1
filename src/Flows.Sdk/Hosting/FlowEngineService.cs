using Microsoft.Extensions.Hosting;

namespace Flows.Hosting;

/// <summary>Makes the host's engine the application default while the host runs, and shuts it down with the host.</summary>
internal sealed class FlowEngineService(FlowEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        FlowEngine.Default = engine;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (ReferenceEquals(FlowEngine.Default, engine))
        {
            FlowEngine.Default = null;
        }

        return Task.CompletedTask;
    }
}

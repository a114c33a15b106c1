using Microsoft.Extensions.Logging;

namespace Flows.Orchestration.Hosting;

/// <summary>Hands Quartz's loggers (its container is its own) to the host's logger factory, so Quartz's lines reach the host's sinks.</summary>
internal sealed class HostLoggerProvider(ILoggerFactory host) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => host.CreateLogger(categoryName);

    public void Dispose()
    {
        // The host owns its factory.
    }
}

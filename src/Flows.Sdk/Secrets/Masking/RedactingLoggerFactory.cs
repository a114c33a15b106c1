using Microsoft.Extensions.Logging;

namespace Flows.Secrets.Masking;

/// <summary>
/// Wraps a logger factory so that every logger it creates masks secret values before any provider (console,
/// Serilog, the run store) sees a line: the formatted message, structured properties and logged exceptions.
/// The engine wraps its own factory with it, and <c>AddFlows</c> wraps the host's, so <c>ILogger&lt;T&gt;</c> from
/// DI is covered too.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretMasker masker) : ILoggerFactory
{
    public ILoggerFactory Inner => inner;

    public SecretMasker Masker => masker;

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), masker);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();
}

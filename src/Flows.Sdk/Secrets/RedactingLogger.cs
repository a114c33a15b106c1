using Microsoft.Extensions.Logging;

namespace Flows.Secrets;

/// <summary>
/// A logger that hands lines to its inner logger with secret values masked. While no secret is known it passes
/// lines straight through; after that it masks only lines that contain one, so the usual line costs one scan.
/// </summary>
internal sealed class RedactingLogger(ILogger inner, SecretMasker masker) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!masker.IsActive)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        var message = formatter(state, exception);
        var masked = RedactedLogState.From(state, masker, message);
        var error = MaskedException.From(exception, masker);
        if (masked is null && ReferenceEquals(error, exception))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        masked ??= RedactedLogState.Unchanged(state, message);
        inner.Log(logLevel, eventId, masked, error, static (s, _) => s.Message);
    }
}

using Flows.Logging;
using Microsoft.Extensions.Logging;

namespace Flows.Secrets.Masking;

/// <summary>
/// A logger that hands lines and scopes to its inner logger with secret values masked. While no secret is known it
/// passes them straight through; after that it masks only those that contain one, so the usual line costs one scan.
/// </summary>
internal sealed class RedactingLogger(ILogger inner, SecretMasker masker) : ILogger
{
    /// <summary>
    /// A scope's state is masked when the scope begins (sinks such as Serilog add its values to every line inside).
    /// The engine's own run scope holds ids, names and the attempt, never a secret, and is passed as it is.
    /// </summary>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        !masker.IsActive || state is RunScope || RedactedLogState.ForScope(state, masker) is not { } masked
            ? inner.BeginScope(state)
            : inner.BeginScope(masked);

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

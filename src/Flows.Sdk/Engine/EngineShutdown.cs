namespace Flows.Engine;

/// <summary>
/// An engine's stop: the token every run in progress sees cancelled when the engine is disposed or interrupted, and
/// which of the two it was.
/// </summary>
internal sealed class EngineShutdown : IDisposable
{
    private readonly CancellationTokenSource _source;

    /// <summary>Read once: the source's own property throws once it is disposed, and runs read their token after that.</summary>
    private readonly CancellationToken _token;

    public EngineShutdown()
    {
        _source = new CancellationTokenSource();
        _token = _source.Token;
    }
    private int _begun;
    private string? _interruptedBy;

    /// <summary>Cancelled when the engine is disposed or interrupted.</summary>
    public CancellationToken Token => _token;

    /// <summary>True once the engine is disposed or interrupted; safe to read afterwards, unlike <see cref="Token"/>.</summary>
    public bool IsShutDown => _source.IsCancellationRequested;

    /// <summary>The signal that interrupted the engine (<see cref="Interrupt"/>), or null.</summary>
    public string? InterruptedBy => Volatile.Read(ref _interruptedBy);

    /// <summary>Cancels every run in progress and notes the signal, so they end Cancelled rather than Crashed.</summary>
    public void Interrupt(string signal)
    {
        Volatile.Write(ref _interruptedBy, signal);
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: its runs were cancelled then.
        }
    }

    /// <summary>Cancels every run in progress; false when the engine's disposal had begun already.</summary>
    public bool TryBegin()
    {
        // A flag, not the token: an interrupted engine's token is cancelled already, and it must still be disposed.
        if (Interlocked.Exchange(ref _begun, 1) == 1)
        {
            return false;
        }

        _source.Cancel();
        return true;
    }

    public void Dispose() => _source.Dispose();
}

using Flows.Runs;

namespace Flows;

/// <summary>An attempt of a flow or task ran past its <c>TimeoutSeconds</c>. The run ends in <see cref="RunState.TimedOut"/> when no retry is left.</summary>
public sealed class RunTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public RunTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

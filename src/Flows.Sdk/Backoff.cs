namespace Flows;

/// <summary>How the delay between retries grows.</summary>
public enum Backoff
{
    /// <summary>Every retry waits the same delay.</summary>
    Constant = 0,

    /// <summary>Retry <c>n</c> waits <c>n</c> times the delay.</summary>
    Linear = 1,

    /// <summary>Retry <c>n</c> waits the delay times <c>2^(n-1)</c>.</summary>
    Exponential = 2,
}

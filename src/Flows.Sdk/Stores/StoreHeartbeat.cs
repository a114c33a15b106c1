using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Flows.Stores;

/// <summary>
/// The heartbeat settings of the SQL stores (<see cref="IRunOwners"/>): read from configuration and checked, with
/// errors that name the setting. For store packages; applications set them through the store's options or configuration.
/// </summary>
public static class StoreHeartbeat
{
    /// <summary>The configuration key of the heartbeat interval: how often a store instance shows it is alive.</summary>
    public const string IntervalKey = "Flows:Store:HeartbeatInterval";

    /// <summary>The configuration key of the heartbeat timeout: how long without a heartbeat before an owner's runs count as crashed.</summary>
    public const string TimeoutKey = "Flows:Store:HeartbeatTimeout";

    /// <summary>
    /// The interval and timeout configuration sets (<see cref="IntervalKey"/>, <see cref="TimeoutKey"/>, each a time span
    /// such as <c>00:00:05</c>), else the defaults given.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not a time span; the message names the setting and the form expected.</exception>
    public static (TimeSpan Interval, TimeSpan Timeout) Read(IConfiguration? configuration, TimeSpan interval, TimeSpan timeout) =>
        (Read(configuration, IntervalKey, interval), Read(configuration, TimeoutKey, timeout));

    /// <summary>Checks that the interval is positive and the timeout longer than the interval.</summary>
    /// <param name="interval">The heartbeat interval.</param>
    /// <param name="timeout">The heartbeat timeout.</param>
    /// <param name="store">How the message names the store.</param>
    /// <exception cref="ArgumentOutOfRangeException">Either is out of range; the message names the setting, its value and what is expected.</exception>
    public static void Validate(TimeSpan interval, TimeSpan timeout, string store)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(interval), interval, $"{store}: the heartbeat interval ({IntervalKey}, or HeartbeatInterval in the store's options) is {interval}; it must be longer than zero, such as 00:00:05.");
        }

        if (timeout <= interval)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout),
                timeout,
                $"{store}: the heartbeat timeout ({TimeoutKey}, or HeartbeatTimeout in the store's options) is {timeout}; it must be longer than the heartbeat interval, {interval} "
                + "(twice the interval lets one heartbeat be missed without the process being taken for gone).");
        }
    }

    private static TimeSpan Read(IConfiguration? configuration, string key, TimeSpan fallback)
    {
        if (configuration?[key] is not { Length: > 0 } text)
        {
            return fallback;
        }

        // A bare number would read as days ("5" is five days): ask for the unambiguous form.
        if (!text.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            throw new ArgumentException($"Configuration value '{key}' = '{text}' is not valid: expected a time span such as 00:00:05 (hours:minutes:seconds).", nameof(configuration));
        }

        return value;
    }
}

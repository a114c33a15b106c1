using Microsoft.Extensions.Time.Testing;

namespace Flows.Testing;

/// <summary>
/// A view of a fake clock on which every one-shot wait completes at once, moving the clock forward by the wait.
/// Retry delays run on it, so a test sees the configured delays in recorded timestamps without spending them.
/// </summary>
internal sealed class SkippingTimeProvider(FakeTimeProvider clock) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override long GetTimestamp() => clock.GetTimestamp();

    public override long TimestampFrequency => clock.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => clock.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (period != Timeout.InfiniteTimeSpan || dueTime < TimeSpan.Zero)
        {
            return clock.CreateTimer(callback, state, dueTime, period);
        }

        // Advance first (firing whatever else falls due in the skipped interval), then fire this wait on the thread
        // pool rather than inline, so the caller has its timer before the callback runs.
        clock.Advance(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}

using System.Globalization;
using Flows.Logging;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Recording;

/// <summary>
/// Outages: a store that cannot be reached is waited for, with growing pauses, for the outage tolerance; past it,
/// write-throughs fail while the writer keeps trying, until the store answers again.
/// </summary>
internal sealed partial class RunRecorder
{
    /// <summary>The outage tolerance: <see cref="FlowEngineOptions.StoreOutageTolerance"/>, else configuration, else the default.</summary>
    public static TimeSpan OutageTolerance(FlowEngineOptions options)
    {
        if (options.StoreOutageTolerance is { } tolerance)
        {
            return tolerance >= TimeSpan.Zero
                ? tolerance
                : throw new ArgumentOutOfRangeException(nameof(options), tolerance, "FlowEngineOptions.StoreOutageTolerance cannot be negative.");
        }

        if (options.Configuration?[OutageToleranceKey] is not { } text)
        {
            return FlowEngineOptions.DefaultStoreOutageTolerance;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new InvalidOperationException($"Configuration {OutageToleranceKey} is '{text}', which is not a number of seconds zero or greater (the default is {FlowEngineOptions.DefaultStoreOutageTolerance.TotalSeconds:0}).");
    }

    private static TaskCompletionSource<RunStoreException> NewUnavailable() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A new exception for each caller: one instance thrown from many places would mix their stack traces.</summary>
    private static RunStoreException Fresh(RunStoreException error) => new(error.Message, error.InnerException!);

    /// <summary>Fails with the outage's error; the task it awaits has already completed, so this completes at once.</summary>
    private static async Task FailAsync(Task<RunStoreException> unavailable) => throw Fresh(await unavailable.ConfigureAwait(false));

    private static async Task WaitOrFailAsync(Task done, Task<RunStoreException> unavailable, CancellationToken cancellationToken)
    {
        if (await Task.WhenAny(done, unavailable).WaitAsync(cancellationToken).ConfigureAwait(false) != done)
        {
            throw Fresh(await unavailable.ConfigureAwait(false));
        }

        await done.ConfigureAwait(false);
    }

    /// <summary>
    /// After a transient failure: waits before the next attempt, 0.1 s at first and twice as long each time up to
    /// 10 s. Once the outage has lasted the tolerance, write-throughs fail from then on (until a write succeeds); the
    /// writer goes on trying, unless the engine is stopping: then it returns false and the writes are given up.
    /// </summary>
    private async Task<bool> RideOutAsync(Exception error, int count)
    {
        var now = _retryTime.GetUtcNow();
        if (_outageSince is not { } since)
        {
            _outageSince = since = now;
            _outageAttempts = 0;
            LogOutageBegan(_log, count, _store.ToString(), Duration(_outageTolerance), error);
        }

        var down = now - since;
        var left = _outageTolerance - down;
        if (left <= TimeSpan.Zero)
        {
            GiveUp(error, since, down);
            if (_stopping)
            {
                return false;
            }
        }

        var delay = TimeSpan.FromTicks(Math.Min(LongestRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(_outageAttempts++, 16)));
        if (left > TimeSpan.Zero && left < delay)
        {
            // Wake when the tolerance is spent, so write-throughs fail when it says and not up to a pause later.
            delay = left;
        }

        LogWriteRetried(_log, count, delay.TotalSeconds, down.TotalSeconds, error.Message);
        await Task.Delay(delay, _retryTime).ConfigureAwait(false);
        return true;
    }

    /// <summary>The store took a write or refused one on its own merits: it can be reached, and write-throughs may succeed again.</summary>
    private void StoreAnswered()
    {
        if (_outageSince is not { } since)
        {
            return;
        }

        _outageSince = null;
        LogStoreBack(_log, Duration(_retryTime.GetUtcNow() - since));
        if (Volatile.Read(ref _unavailable).Task.IsCompleted)
        {
            Volatile.Write(ref _unavailable, NewUnavailable());
        }
    }

    /// <summary>The outage outlasted the tolerance: write-throughs waiting now, and those to come until the store is back, fail.</summary>
    private void GiveUp(Exception error, DateTimeOffset since, TimeSpan down)
    {
        var unavailable = Volatile.Read(ref _unavailable);
        if (unavailable.Task.IsCompleted)
        {
            return;
        }

        var message = $"{_store} has been unreachable for {Duration(down)} (since {since:u}), longer than the store outage tolerance of "
            + $"{Duration(_outageTolerance)} (FlowEngineOptions.StoreOutageTolerance, {OutageToleranceKey}). Last error: {error.Message} "
            + "What runs recorded is kept in memory and written when the store is back; until then flow runs cannot be written through, so they fail.";
        LogStoreUnavailable(_log, Duration(down), Duration(_outageTolerance), error);
        unavailable.TrySetResult(new RunStoreException(message, error));
    }

    /// <summary>"90 s", "5 min": how long an outage lasted or may last, for messages.</summary>
    private static string Duration(TimeSpan time) => time < TimeSpan.FromMinutes(2)
        ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.#} s")
        : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMinutes:0.#} min");

    [LoggerMessage(LogEventIds.StoreStillUnreachable, LogLevel.Debug, "The run store is still unreachable ({Error}); trying a batch of {Count} writes again in {DelaySeconds:0.#} s, {DownSeconds:0.#} s into the outage", EventName = nameof(LogEventIds.StoreStillUnreachable))]
    private static partial void LogWriteRetried(ILogger logger, int count, double delaySeconds, double downSeconds, string error);

    [LoggerMessage(LogEventIds.StoreOutageBegan, LogLevel.Warning, "The run store cannot be reached: a batch of {Count} writes was refused with a transient error. {Store} is waited for up to {Tolerance}; runs' writes wait meanwhile", EventName = nameof(LogEventIds.StoreOutageBegan))]
    private static partial void LogOutageBegan(ILogger logger, int count, string? store, string tolerance, Exception exception);

    [LoggerMessage(LogEventIds.StoreBack, LogLevel.Information, "The run store is back after {Down}; the writes that waited for it are being written", EventName = nameof(LogEventIds.StoreBack))]
    private static partial void LogStoreBack(ILogger logger, string down);

    [LoggerMessage(LogEventIds.StoreUnavailable, LogLevel.Error, "The run store has been unreachable for {Down}, longer than the outage tolerance of {Tolerance}: flow runs' write-throughs fail until it is back; what runs record is kept and written then", EventName = nameof(LogEventIds.StoreUnavailable))]
    private static partial void LogStoreUnavailable(ILogger logger, string down, string tolerance, Exception exception);

    [LoggerMessage(LogEventIds.StoreWritesLost, LogLevel.Error, "The engine is stopping and the run store has been unreachable for {Down}: {Count} writes could not be stored and are lost", EventName = nameof(LogEventIds.StoreWritesLost))]
    private static partial void LogWritesLost(ILogger logger, int count, string down, Exception exception);
}

using System.Globalization;
using Flows.Logging;
using Flows.Stores;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flows.Hosting;

/// <summary>
/// Automatic retention, off unless <c>Flows:Store:Retention</c> is set: when the host starts and every hour after,
/// deletes flow runs that ended longer ago than the retention (<see cref="IRunStore.PruneAsync"/>), keeping failed ones
/// unless <c>Flows:Store:RetentionKeepFailed</c> is false. Prunes in the background: a big first prune does not hold
/// the host's start, and a failure is logged (and tried again the next hour), never thrown.
/// </summary>
internal sealed class RetentionService(FlowEngine engine, IServiceProvider services) : IHostedService, IAsyncDisposable
{
    /// <summary>The configuration key of the retention, a time span such as <c>30.00:00:00</c>.</summary>
    public const string RetentionKey = "Flows:Store:Retention";

    /// <summary>The configuration key that keeps failed runs (true by default).</summary>
    public const string KeepFailedKey = "Flows:Store:RetentionKeepFailed";

    /// <summary>How often retention prunes, after once at start.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private Task _pruning = Task.CompletedTask;
    private (TimeSpan Retention, bool KeepFailed) _settings;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Read(services.GetService<IConfiguration>()) is not { } settings)
        {
            return Task.CompletedTask;
        }

        _settings = settings;
        _timer = engine.TimeProvider.CreateTimer(static s => ((RetentionService)s!).Tick(), this, TimeSpan.Zero, Interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task pruning;
        lock (_lock)
        {
            pruning = _pruning;
        }

        await pruning.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>The retention and whether failed runs are kept; null when retention is off. Refuses a bad value naming its key.</summary>
    internal static (TimeSpan Retention, bool KeepFailed)? Read(IConfiguration? configuration)
    {
        if (configuration?[RetentionKey] is not { Length: > 0 } text)
        {
            return null;
        }

        // A bare number would read as days ("30" is thirty days, "5" five): ask for the unambiguous form.
        if (!text.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var retention) || retention <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"Configuration value '{RetentionKey}' = '{text}' is not valid: expected a time span longer than zero such as 30.00:00:00 (30 days; days.hours:minutes:seconds), or no value to keep every run.");
        }

        var keepFailed = true;
        if (configuration[KeepFailedKey] is { Length: > 0 } keep && !bool.TryParse(keep, out keepFailed))
        {
            throw new InvalidOperationException($"Configuration value '{KeepFailedKey}' = '{keep}' is not valid: expected true or false.");
        }

        return (retention, keepFailed);
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (_pruning.IsCompleted && !_stopping.IsCancellationRequested)
            {
                _pruning = PruneAsync();
            }
        }
    }

    private async Task PruneAsync()
    {
        await Task.Yield();
        var (retention, keepFailed) = _settings;
        var cutoff = engine.TimeProvider.GetUtcNow() - retention;
        try
        {
            var pruned = await engine.Store.PruneAsync(new PruneRequest { EndedBefore = cutoff, KeepFailed = keepFailed }, _stopping.Token).ConfigureAwait(false);
            RuntimeLog.RetentionPruned(engine.Logging.Runtime, cutoff, pruned.FlowRuns, pruned.Runs, pruned.LogLines, pruned.Artifacts, pruned.CacheEntries);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The host is stopping: what was pruned stays pruned, the rest waits for the next start.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RuntimeLog.RetentionFailed(engine.Logging.Runtime, ex.GetType().Name, engine.Redact(ex.Message));
        }
    }
}

using Flows.Notifications.Channels;
using Flows.Notifications.Logging;
using Flows.Notifications.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flows.Notifications.Delivery;

/// <summary>
/// The background service <c>AddNotifications</c> registers: checks the rules when the host starts (a bad rule or an
/// unknown channel stops the start with an error naming it), then every <see cref="NotificationsOptions.PollInterval"/>
/// (sooner when a delivery retry is due) reads run events from the run store and sends them. A failure to read is
/// logged and tried again; nothing here runs on a flow's path.
/// </summary>
internal sealed class NotificationService(FlowEngine engine, IOptions<NotificationsOptions> options, IEnumerable<INotificationChannel> channels, IServiceProvider services, ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private NotificationProcessor? _processor;
    private IReadOnlyList<INotificationChannel> _configured = [];

    internal NotificationProcessor Processor => _processor ?? throw new InvalidOperationException("The notification service has not started.");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Check(settings);

        // Channels and rules from configuration join those declared in code and registered in the container; a bad
        // setting, a duplicate name or an unknown channel stops the start here, naming it.
        var configuration = services.GetService<IConfiguration>();
        var configuredRules = RuleConfiguration.Read(configuration);
        _configured = [.. ChannelConfiguration.Read(services), .. settings.ChannelFactories.Select(make => make(services))];
        var rules = NotificationRules.Create(settings, channels.Concat(_configured), configuredRules);
        var logger = (ILogger?)loggerFactory?.CreateLogger("Flows.Notifications") ?? NullLogger.Instance;
        _processor = new NotificationProcessor(engine.Store, rules, settings, engine.TimeProvider, engine.Secrets.Redact, logger);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var processor = Processor;
        var time = engine.TimeProvider;
        var logger = (ILogger?)loggerFactory?.CreateLogger("Flows.Notifications") ?? NullLogger.Instance;
        var poll = options.Value.PollInterval;
        var nextPoll = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var failed = false;
            try
            {
                if (time.GetUtcNow() >= nextPoll)
                {
                    nextPoll = time.GetUtcNow() + poll;
                    await processor.TickAsync(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await processor.DeliverDueAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                NotificationLog.PollFailed(logger, e, poll.TotalSeconds);
                failed = true;
            }

            // After a failure (the store unreachable, most likely) nothing is tried again before the next poll.
            var wake = !failed && processor.NextDeliveryAt is { } due && due < nextPoll ? due : nextPoll;
            var delay = wake - time.GetUtcNow();
            try
            {
                await Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Disposes the channels this service made (from configuration and factories); channel objects given to it belong to their makers.</summary>
    public override void Dispose()
    {
        foreach (var channel in _configured.OfType<IDisposable>())
        {
            channel.Dispose();
        }

        _configured = [];
        base.Dispose();
    }

    private static void Check(NotificationsOptions settings)
    {
        if (settings.PollInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{NotificationsOptions.Section}:PollInterval must be positive (it is {settings.PollInterval}).");
        }

        if (settings.DeliveryAttempts < 1)
        {
            throw new InvalidOperationException($"{NotificationsOptions.Section}:DeliveryAttempts must be at least 1 (it is {settings.DeliveryAttempts}).");
        }

        if (settings.DeliveryBackoff < TimeSpan.Zero || settings.GroupingWindow < TimeSpan.Zero || settings.ReadBack < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{NotificationsOptions.Section}:DeliveryBackoff, GroupingWindow and ReadBack must not be negative.");
        }
    }
}

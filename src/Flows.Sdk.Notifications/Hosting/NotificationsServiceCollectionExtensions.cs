using Flows.Notifications;
using Flows.Notifications.Delivery;

// The one exception to the namespace rule (docs/architecture.md): AddX extensions live in the namespace of
// IServiceCollection, as every Microsoft.Extensions package's do, so services.AddX(...) needs no extra using.
#pragma warning disable IDE0130
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers notifications on run events.</summary>
public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Adds notifications: the rules and channels <paramref name="configure"/> declares, with
    /// <c>Flows:Notifications</c> from configuration, and the background service that reads run events from the run
    /// store and sends them, once per event across every process sharing the store. Call after <c>AddFlows()</c>.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, Action<NotificationsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<NotificationsOptions>().BindConfiguration(NotificationsOptions.Section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddHostedService<NotificationService>();

        return services;
    }
}

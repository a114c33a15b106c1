namespace Flows.Notifications;

/// <summary>
/// Notifications: rules and channels (<c>services.AddFlows().AddNotifications(o => ...)</c>), and the settings read from
/// <c>Flows:Notifications</c> (per-environment targets: channels, the dashboard address, timings).
/// </summary>
public sealed class NotificationsOptions
{
    /// <summary>The configuration section read.</summary>
    public const string Section = "Flows:Notifications";

    private readonly List<NotificationRuleBuilder> _rules = [];
    private readonly List<INotificationChannel> _channels = [];
    private readonly List<Func<IServiceProvider, INotificationChannel>> _factories = [];

    /// <summary>Adds a rule.</summary>
    public NotificationsOptions Notify(Action<NotificationRuleBuilder> rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var builder = new NotificationRuleBuilder();
        rule(builder);
        _rules.Add(builder);
        return this;
    }

    /// <summary>Adds a channel rules can name.</summary>
    public NotificationsOptions Channel(INotificationChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channels.Add(channel);
        return this;
    }

    /// <summary>
    /// Adds a channel made when the host starts, from its services: how a built-in channel gets the application's
    /// secrets (<c>o.Channel(sp =&gt; new EmailChannel("oncall", email, sp.GetRequiredService&lt;FlowEngine&gt;().Secrets))</c>).
    /// A channel made here is disposed with the host.
    /// </summary>
    public NotificationsOptions Channel(Func<IServiceProvider, INotificationChannel> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factories.Add(factory);
        return this;
    }

    /// <summary>The dashboard's address (<c>https://ops.example.org/flows</c>): messages link to the run's page there. Null: no link.</summary>
    public Uri? DashboardUrl { get; set; }

    /// <summary>How long further events of an incident are grouped after its first notification. Defaults to 1 hour.</summary>
    public TimeSpan GroupingWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the run store is read for events. Defaults to 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far back each read looks for flow runs that ended: a run whose end reaches the store late (held by its
    /// engine through a store outage, or stamped by a clock behind this one's) is still notified if it lands within
    /// this span. Defaults to 5 minutes, the engine's default store-outage tolerance.
    /// </summary>
    public TimeSpan ReadBack { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many times a delivery is tried before it is recorded failed. Defaults to 5.</summary>
    public int DeliveryAttempts { get; set; } = 5;

    /// <summary>The first delay between delivery attempts, doubled each time. Defaults to 5 seconds.</summary>
    public TimeSpan DeliveryBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many lines of a run's error a message carries. Defaults to 5.</summary>
    public int ErrorLines { get; set; } = 5;

    internal IReadOnlyList<NotificationRuleBuilder> Rules => _rules;

    internal IReadOnlyList<INotificationChannel> Channels => _channels;

    internal IReadOnlyList<Func<IServiceProvider, INotificationChannel>> ChannelFactories => _factories;
}

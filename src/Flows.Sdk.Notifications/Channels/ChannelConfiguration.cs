using System.Globalization;
using Flows.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Flows.Notifications.Channels;

/// <summary>
/// The channels declared in configuration, so targets differ per environment:
/// <code>
/// "Flows": { "Notifications": { "Channels": {
///   "slack":  { "Type": "Webhook", "UrlSecret": "slack-webhook-url", "Format": "Slack" },
///   "oncall": { "Type": "Email", "Host": "smtp.example.org", "Port": 587, "Security": "StartTls",
///               "User": "flows", "PasswordSecret": "smtp-password", "From": "flows@example.org", "To": [ "oncall@example.org" ] }
/// } } }
/// </code>
/// A setting that is unknown, missing or unusable is an error at start naming the channel and the key.
/// </summary>
internal static class ChannelConfiguration
{
    /// <summary>The section read, under the notifications section.</summary>
    public const string Section = NotificationsOptions.Section + ":Channels";

    private static readonly string[] WebhookKeys = ["Type", "Url", "UrlSecret", "Format", "TokenSecret", "Timeout"];
    private static readonly string[] EmailKeys = ["Type", "Host", "Port", "Security", "User", "PasswordSecret", "From", "To", "Timeout"];

    /// <summary>Builds every channel under <see cref="Section"/>; throws naming the channel and key when one is unusable.</summary>
    public static IReadOnlyList<INotificationChannel> Read(IConfiguration configuration, SecretResolver secrets)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(secrets);
        return [.. configuration.GetSection(Section).GetChildren().Select(channel => Build(channel, secrets))];
    }

    /// <summary>
    /// The host's configured channels, with secrets resolved through the host's providers (<see cref="StoreSecrets"/>:
    /// every value resolved is masked in what the host's engine writes). Call when the application starts, so a bad
    /// setting stops it.
    /// </summary>
    public static IReadOnlyList<INotificationChannel> Read(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var configuration = services.GetService<IConfiguration>();
        if (configuration is null)
        {
            return [];
        }

        return Read(configuration, StoreSecrets.Create(services, configuration, services.GetService<TimeProvider>() ?? TimeProvider.System));
    }

    private static INotificationChannel Build(IConfigurationSection channel, SecretResolver secrets)
    {
        var name = channel.Key;
        var type = channel["Type"];
        if (string.Equals(type, "Webhook", StringComparison.OrdinalIgnoreCase))
        {
            Known(channel, WebhookKeys);
            return new WebhookChannel(name, new WebhookChannelOptions
            {
                Url = Optional(channel, "Url", v => Uri.TryCreate(v, UriKind.Absolute, out var url) ? url : null, "an absolute http or https address"),
                UrlSecret = channel["UrlSecret"],
                Format = Optional(channel, "Format", v => Enum.TryParse<WebhookFormat>(v, true, out var f) && Enum.IsDefined(f) ? f : (WebhookFormat?)null, "Json, Slack or Teams") ?? WebhookFormat.Json,
                TokenSecret = channel["TokenSecret"],
                Timeout = Timeout(channel) ?? TimeSpan.FromSeconds(10),
            }, secrets);
        }

        if (string.Equals(type, "Email", StringComparison.OrdinalIgnoreCase))
        {
            Known(channel, EmailKeys);
            var options = new EmailChannelOptions
            {
                Host = channel["Host"],
                Port = Optional(channel, "Port", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : (int?)null, "a port number") ?? 587,
                Security = Optional(channel, "Security", v => Enum.TryParse<EmailSecurity>(v, true, out var s) && Enum.IsDefined(s) ? s : (EmailSecurity?)null, "Auto, None, StartTls or SslOnConnect") ?? EmailSecurity.Auto,
                User = channel["User"],
                PasswordSecret = channel["PasswordSecret"],
                From = channel["From"],
                Timeout = Timeout(channel) ?? TimeSpan.FromSeconds(30),
            };
            var to = channel.GetSection("To");
            // "To": "a@x.org, b@x.org" or "To": [ "a@x.org", "b@x.org" ].
            var recipients = to.Value is { } list
                ? list.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : to.GetChildren().Select(c => c.Value ?? string.Empty);
            foreach (var recipient in recipients)
            {
                options.To.Add(recipient);
            }

            return new EmailChannel(name, options, secrets);
        }

        throw ChannelSetting.Invalid(name, $"{channel.Path}:Type", type is null ? "is required: Webhook or Email." : "must be Webhook or Email.");
    }

    private static void Known(IConfigurationSection channel, string[] keys)
    {
        foreach (var child in channel.GetChildren())
        {
            if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw ChannelSetting.Invalid(channel.Key, child.Path, $"is not a setting of a {channel["Type"]} channel; known: {string.Join(", ", keys)}.");
            }
        }
    }

    private static T? Optional<T>(IConfigurationSection channel, string key, Func<string, T?> parse, string expected)
    {
        var value = channel[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return default;
        }

        // The value is not repeated in the error: it could be a secret put in the wrong key.
        return parse(value.Trim()) ?? throw ChannelSetting.Invalid(channel.Key, $"{channel.Path}:{key}", $"must be {expected}.");
    }

    private static TimeSpan? Timeout(IConfigurationSection channel) =>
        Optional(channel, "Timeout", v => TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out var t) ? t : (TimeSpan?)null, "a time span such as 00:00:10");
}

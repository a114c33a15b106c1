namespace Flows.Notifications.Channels;

/// <summary>
/// Where and how a <see cref="WebhookChannel"/> posts. The address of a Slack or Teams webhook is a credential: give it
/// as a secret's name (<see cref="UrlSecret"/>), not in configuration, unless it is not one.
/// </summary>
public sealed class WebhookChannelOptions
{
    /// <summary>The address posted to, when it is no secret. Exactly one of this and <see cref="UrlSecret"/>.</summary>
    public Uri? Url { get; set; }

    /// <summary>The name of the secret holding the address posted to (resolved through the application's secret providers).</summary>
    public string? UrlSecret { get; set; }

    /// <summary>The JSON posted. Defaults to <see cref="WebhookFormat.Json"/>.</summary>
    public WebhookFormat Format { get; set; } = WebhookFormat.Json;

    /// <summary>The name of a secret sent as <c>Authorization: Bearer &lt;value&gt;</c>; null: no such header.</summary>
    public string? TokenSecret { get; set; }

    /// <summary>How long one post may take before it fails (and is retried by the sender). Defaults to 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

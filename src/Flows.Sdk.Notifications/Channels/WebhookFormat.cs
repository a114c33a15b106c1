namespace Flows.Notifications.Channels;

/// <summary>The JSON a <see cref="WebhookChannel"/> posts.</summary>
public enum WebhookFormat
{
    /// <summary>The message's fields as a JSON object (<c>event</c>, <c>flow</c>, <c>runId</c>, <c>error</c>, ..., and <c>text</c>, the plain-text rendering).</summary>
    Json = 0,

    /// <summary>A Slack incoming-webhook message: <c>text</c> (the title, for notifications) and Block Kit <c>blocks</c>.</summary>
    Slack = 1,

    /// <summary>A Microsoft Teams message carrying an Adaptive Card, as Teams workflow (Power Automate) webhooks take it.</summary>
    Teams = 2,
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flows.Secrets;

namespace Flows.Notifications.Channels;

/// <summary>
/// Posts each notification as JSON to a webhook: generic JSON, a Slack message or a Teams card
/// (<see cref="WebhookFormat"/>). The address and the bearer token can come from secrets; neither ever appears in a
/// body or an error. A post that fails or answers other than 2xx throws (the sender retries).
/// </summary>
/// <example>
/// <code>
/// o.Channel(new WebhookChannel("slack", new() { UrlSecret = "slack-webhook-url", Format = WebhookFormat.Slack }, engine.Secrets));
/// </code>
/// </example>
public sealed class WebhookChannel : INotificationChannel, IDisposable
{
    private readonly WebhookChannelOptions _options;
    private readonly SecretResolver? _secrets;
    private readonly HttpClient _http;

    /// <summary>Creates the channel; throws, naming the channel and the setting, when a setting is unusable.</summary>
    /// <param name="name">The channel's name, as rules name it.</param>
    /// <param name="options">Where and how to post.</param>
    /// <param name="secrets">Resolves <see cref="WebhookChannelOptions.UrlSecret"/> and <see cref="WebhookChannelOptions.TokenSecret"/>; required when either is set.</param>
    public WebhookChannel(string name, WebhookChannelOptions options, SecretResolver? secrets = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        if ((options.Url is null) == string.IsNullOrWhiteSpace(options.UrlSecret))
        {
            throw ChannelSetting.Invalid(name, "Url / UrlSecret", "must be given, one of them (UrlSecret names the secret holding the address).");
        }

        if (options.Url is { } url && !IsHttp(url))
        {
            throw ChannelSetting.Invalid(name, "Url", "must be an absolute http or https address.");
        }

        if (!Enum.IsDefined(options.Format))
        {
            throw ChannelSetting.Invalid(name, "Format", "must be Json, Slack or Teams.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw ChannelSetting.Invalid(name, "Timeout", "must be positive.");
        }

        if (secrets is null && (options.UrlSecret is not null || options.TokenSecret is not null))
        {
            throw ChannelSetting.Invalid(name, options.UrlSecret is not null ? "UrlSecret" : "TokenSecret", "names a secret, but the channel was given no secret resolver.");
        }

        _options = new WebhookChannelOptions
        {
            Url = options.Url,
            UrlSecret = options.UrlSecret,
            Format = options.Format,
            TokenSecret = options.TokenSecret,
            Timeout = options.Timeout,
        };
        _secrets = secrets;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The JSON this channel posts.</summary>
    public WebhookFormat Format => _options.Format;

    /// <inheritdoc />
    /// <exception cref="HttpRequestException">The webhook answered other than 2xx (the message names the status), or could not be reached.</exception>
    /// <exception cref="TimeoutException">The webhook did not answer within the channel's timeout.</exception>
    public async Task SendAsync(NotificationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var url = await AddressAsync(cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(Payload(message, _options.Format).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (_options.TokenSecret is { } tokenSecret)
        {
            var token = await _secrets!.GetAsync(tokenSecret, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Webhook channel '{Name}' did not answer within {_options.Timeout.TotalSeconds:0.###} s."));
        }
        catch (HttpRequestException ex)
        {
            // The exception's own message can carry the address (whose path is the webhook's credential): say what failed without it.
            throw new HttpRequestException(ex.HttpRequestError, $"Webhook channel '{Name}' could not post: {Describe(ex.HttpRequestError)}.", inner: null, ex.StatusCode);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    HttpRequestError.Unknown,
                    string.Create(CultureInfo.InvariantCulture, $"Webhook channel '{Name}' was answered {(int)response.StatusCode} {response.ReasonPhrase}."),
                    inner: null,
                    response.StatusCode);
            }
        }
    }

    /// <summary>Releases the channel's HTTP connections.</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>The JSON posted for <paramref name="message"/> in <paramref name="format"/>.</summary>
    internal static JsonObject Payload(NotificationMessage message, WebhookFormat format) => format switch
    {
        WebhookFormat.Slack => Slack(message),
        WebhookFormat.Teams => Teams(message),
        _ => Generic(message),
    };

    private async ValueTask<Uri> AddressAsync(CancellationToken cancellationToken)
    {
        if (_options.Url is { } url)
        {
            return url;
        }

        var value = await _secrets!.GetAsync(_options.UrlSecret!, cancellationToken).ConfigureAwait(false);
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var address) || !IsHttp(address))
        {
            throw new InvalidOperationException($"Webhook channel '{Name}': the secret '{_options.UrlSecret}' is not an absolute http or https address.");
        }

        return address;
    }

    private static bool IsHttp(Uri url) => url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private static string Describe(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "the host name could not be resolved",
        HttpRequestError.ConnectionError => "the connection was refused or lost",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ProxyTunnelError => "the proxy refused the tunnel",
        _ => error.ToString(),
    };

    private static JsonObject Generic(NotificationMessage message)
    {
        var parameters = new JsonObject();
        foreach (var (name, value) in message.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parameters[name] = JsonNode.Parse(value.GetRawText());
        }

        return new JsonObject
        {
            ["id"] = message.Id,
            ["event"] = message.Event.ToString(),
            ["rule"] = message.Rule,
            ["title"] = message.Title,
            ["flow"] = message.Flow,
            ["deployment"] = message.Deployment,
            ["runId"] = message.RunId,
            ["state"] = message.State,
            ["error"] = message.Error,
            ["durationSeconds"] = message.Duration?.TotalSeconds,
            ["attempt"] = message.Attempt,
            ["parameters"] = parameters,
            ["count"] = message.Count,
            ["firstAt"] = message.FirstAt,
            ["lastAt"] = message.LastAt,
            ["runUrl"] = message.RunUrl?.AbsoluteUri,
            ["text"] = MessageText.PlainText(message),
        };
    }

    /// <summary>Block Kit: a header, the facts as fields, the error in a code block, the parameters, a button to the run.</summary>
    private static JsonObject Slack(NotificationMessage message)
    {
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Truncate(message.Title, 150)) },
        };

        // A section holds at most 10 fields.
        foreach (var chunk in MessageText.Facts(message).Chunk(10))
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray([.. chunk.Select(f => (JsonNode)Markdown($"*{SlackEscape(f.Label)}*\n{SlackEscape(f.Value)}"))]),
            });
        }

        if (message.Error is { } error)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown($"*Error*\n```{Truncate(SlackEscape(error), 2900)}```") });
        }

        var parameters = MessageText.Parameters(message);
        if (parameters.Count > 0)
        {
            var lines = string.Join('\n', parameters.Select(p => $"`{SlackEscape(p.Name)}` = {SlackEscape(p.Value)}"));
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = Markdown(Truncate($"*Parameters*\n{lines}", 3000)) });
        }

        if (message.RunUrl is { } url)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open the run"), ["url"] = url.AbsoluteUri }),
            });
        }

        return new JsonObject { ["text"] = SlackEscape(message.Title), ["blocks"] = blocks };

        static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };
        static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };
    }

    /// <summary>A Teams message with one Adaptive Card (1.4): the title, the facts as a fact set, the error, the parameters, a link to the run.</summary>
    private static JsonObject Teams(NotificationMessage message)
    {
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = message.Title, ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
            FactSet(MessageText.Facts(message)),
        };
        if (message.Error is { } error)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = "Error", ["weight"] = "Bolder", ["wrap"] = true });
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = error, ["fontType"] = "Monospace", ["wrap"] = true });
        }

        var parameters = MessageText.Parameters(message);
        if (parameters.Count > 0)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = "Parameters", ["weight"] = "Bolder", ["wrap"] = true });
            body.Add(FactSet(parameters));
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        if (message.RunUrl is { } url)
        {
            card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open the run", ["url"] = url.AbsoluteUri });
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["summary"] = message.Title,
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["content"] = card,
            }),
        };

        static JsonObject FactSet(IEnumerable<(string Title, string Value)> facts) => new()
        {
            ["type"] = "FactSet",
            ["facts"] = new JsonArray([.. facts.Select(f => (JsonNode)new JsonObject { ["title"] = f.Title, ["value"] = f.Value })]),
        };
    }

    /// <summary>Slack's three control characters in text: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>.</summary>
    private static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}

using System.Globalization;
using Flows.Secrets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Flows.Notifications.Channels;

/// <summary>
/// Sends each notification as an e-mail over SMTP (MailKit), with a plain-text and an HTML body. The password comes
/// from a secret and never appears in a mail or an error. A mail the server does not accept throws (the sender retries).
/// </summary>
/// <example>
/// <code>
/// var email = new EmailChannelOptions { Host = "smtp.example.org", User = "flows", PasswordSecret = "smtp-password", From = "flows@example.org" };
/// email.To.Add("oncall@example.org");
/// o.Channel(new EmailChannel("oncall", email, engine.Secrets));
/// </code>
/// </example>
public sealed class EmailChannel : INotificationChannel
{
    private readonly string _host;
    private readonly int _port;
    private readonly SecureSocketOptions _security;
    private readonly string? _user;
    private readonly string? _passwordSecret;
    private readonly MailboxAddress _from;
    private readonly MailboxAddress[] _to;
    private readonly TimeSpan _timeout;
    private readonly SecretResolver? _secrets;

    /// <summary>Creates the channel; throws, naming the channel and the setting, when a setting is unusable.</summary>
    /// <param name="name">The channel's name, as rules name it.</param>
    /// <param name="options">The SMTP server, sender and recipients.</param>
    /// <param name="secrets">Resolves <see cref="EmailChannelOptions.PasswordSecret"/>; required when it is set.</param>
    public EmailChannel(string name, EmailChannelOptions options, SecretResolver? secrets = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw ChannelSetting.Invalid(name, "Host", "is required: the SMTP server's host name.");
        }

        if (options.Port is < 1 or > 65535)
        {
            throw ChannelSetting.Invalid(name, "Port", "must be between 1 and 65535.");
        }

        if (!Enum.IsDefined(options.Security))
        {
            throw ChannelSetting.Invalid(name, "Security", "must be Auto, None, StartTls or SslOnConnect.");
        }

        if (string.IsNullOrWhiteSpace(options.User) != string.IsNullOrWhiteSpace(options.PasswordSecret))
        {
            throw ChannelSetting.Invalid(name, "User / PasswordSecret", "must be given together (PasswordSecret names the secret holding the password).");
        }

        if (options.PasswordSecret is not null && secrets is null)
        {
            throw ChannelSetting.Invalid(name, "PasswordSecret", "names a secret, but the channel was given no secret resolver.");
        }

        if (options.From is null || !MailboxAddress.TryParse(options.From, out var from))
        {
            throw ChannelSetting.Invalid(name, "From", "must be an e-mail address (flows@example.org or \"Flows <flows@example.org>\").");
        }

        if (options.To.Count == 0)
        {
            throw ChannelSetting.Invalid(name, "To", "must list at least one recipient.");
        }

        var to = new List<MailboxAddress>();
        for (var i = 0; i < options.To.Count; i++)
        {
            if (!MailboxAddress.TryParse(options.To[i], out var recipient))
            {
                throw ChannelSetting.Invalid(name, string.Create(CultureInfo.InvariantCulture, $"To:{i}"), "is not an e-mail address.");
            }

            to.Add(recipient);
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw ChannelSetting.Invalid(name, "Timeout", "must be positive.");
        }

        _host = options.Host.Trim();
        _port = options.Port;
        _security = options.Security switch
        {
            EmailSecurity.None => SecureSocketOptions.None,
            EmailSecurity.StartTls => SecureSocketOptions.StartTls,
            EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        _user = string.IsNullOrWhiteSpace(options.User) ? null : options.User;
        _passwordSecret = _user is null ? null : options.PasswordSecret;
        _from = from;
        _to = [.. to];
        _timeout = options.Timeout;
        _secrets = secrets;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The server could not be reached, refused the login or the mail; the message says which, naming the channel and server.</exception>
    /// <exception cref="TimeoutException">Connecting and sending took longer than the channel's timeout.</exception>
    public async Task SendAsync(NotificationMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var password = _passwordSecret is null ? null : await _secrets!.GetAsync(_passwordSecret, cancellationToken).ConfigureAwait(false);
        using var mail = Mail(message);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        using var smtp = new SmtpClient { Timeout = (int)Math.Min(_timeout.TotalMilliseconds, int.MaxValue) };
        var stage = "connect to";
        try
        {
            await smtp.ConnectAsync(_host, _port, _security, timeout.Token).ConfigureAwait(false);
            if (_user is not null)
            {
                stage = "log in to";
                await smtp.AuthenticateAsync(_user, password!, timeout.Token).ConfigureAwait(false);
            }

            stage = "send through";
            await smtp.SendAsync(mail, timeout.Token).ConfigureAwait(false);
            await smtp.DisconnectAsync(true, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(
                CultureInfo.InvariantCulture, $"E-mail channel '{Name}' could not {stage} {_host}:{_port} within {_timeout.TotalSeconds:0.###} s."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The server's or socket's own words say why (refused, 535 authentication failed, 550 no such user); they never hold the password.
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture, $"E-mail channel '{Name}' could not {stage} {_host}:{_port}: {ex.Message}"), ex);
        }
    }

    /// <summary>The mail sent for <paramref name="message"/>: subject the title, plain text and HTML alternatives.</summary>
    internal MimeMessage Mail(NotificationMessage message)
    {
        var mail = new MimeMessage { Subject = message.Title };
        mail.From.Add(_from);
        mail.To.AddRange(_to);
        mail.Date = message.LastAt;
        mail.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_from.Domain is { Length: > 0 } domain ? domain : "flows.local");
        mail.Headers.Add("X-Flows-Notification", message.Id.ToString());
        mail.Body = new BodyBuilder { TextBody = MessageText.PlainText(message), HtmlBody = MessageText.Html(message) }.ToMessageBody();
        return mail;
    }
}

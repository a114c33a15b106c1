namespace Flows.Notifications.Channels;

/// <summary>How an <see cref="EmailChannel"/> secures its connection to the SMTP server.</summary>
public enum EmailSecurity
{
    /// <summary>TLS from the start on port 465, STARTTLS when the server offers it on others.</summary>
    Auto = 0,

    /// <summary>No TLS: only for a relay on the same host or network.</summary>
    None = 1,

    /// <summary>STARTTLS, required: the connection fails when the server does not offer it.</summary>
    StartTls = 2,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    SslOnConnect = 3,
}

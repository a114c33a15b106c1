namespace Flows.Notifications.Channels;

/// <summary>The SMTP server an <see cref="EmailChannel"/> sends through, and the mail's sender and recipients.</summary>
public sealed class EmailChannelOptions
{
    /// <summary>The SMTP server's host name. Required.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP server's port. Defaults to 587 (submission).</summary>
    public int Port { get; set; } = 587;

    /// <summary>How the connection is secured. Defaults to <see cref="EmailSecurity.Auto"/>.</summary>
    public EmailSecurity Security { get; set; } = EmailSecurity.Auto;

    /// <summary>The user name to authenticate as; null: no authentication.</summary>
    public string? User { get; set; }

    /// <summary>The name of the secret holding <see cref="User"/>'s password. Required with <see cref="User"/>.</summary>
    public string? PasswordSecret { get; set; }

    /// <summary>The sender: <c>flows@example.org</c> or <c>Flows &lt;flows@example.org&gt;</c>. Required.</summary>
    public string? From { get; set; }

    /// <summary>The recipients. At least one.</summary>
    public IList<string> To { get; } = [];

    /// <summary>How long connecting and sending one mail may take before it fails (and is retried). Defaults to 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

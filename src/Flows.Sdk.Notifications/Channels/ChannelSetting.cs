namespace Flows.Notifications.Channels;

/// <summary>Builds the start-up error of a channel's unusable setting: it names the channel and the setting, never a value.</summary>
internal static class ChannelSetting
{
    public static InvalidOperationException Invalid(string channel, string setting, string problem) =>
        new($"Notification channel '{channel}': {setting} {problem}");
}

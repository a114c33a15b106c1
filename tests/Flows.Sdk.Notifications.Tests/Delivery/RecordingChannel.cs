using System.Collections.Concurrent;
using System.Text.Json;

namespace Flows.Notifications.Tests.Delivery;

/// <summary>A channel of the tests: keeps what it was sent; fails while <see cref="FailuresLeft"/> is above zero.</summary>
internal sealed class RecordingChannel(string name) : INotificationChannel
{
    private int _failuresLeft;
    private int _attempts;

    public string Name { get; } = name;

    public ConcurrentQueue<NotificationMessage> Received { get; } = new();

    /// <summary>Every attempt, failed or not.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>How many attempts from now on fail (int.MaxValue: down until set back).</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>What a failed attempt's exception says.</summary>
    public string? FailureText { get; init; }

    /// <summary>What was received, as the JSON a webhook would post: what a test greps for secrets.</summary>
    public string ReceivedText => string.Join("\n", Received.Select(m => JsonSerializer.Serialize(m)));

    /// <summary>Awaited by every send before it is received: a channel that hangs until the test lets it go.</summary>
    public Func<Task>? BeforeSend { get; set; }

    public async Task SendAsync(NotificationMessage message, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _attempts);
        if (BeforeSend is { } before)
        {
            await before();
        }

        if (FailuresLeft > 0)
        {
            if (FailuresLeft != int.MaxValue)
            {
                Interlocked.Decrement(ref _failuresLeft);
            }

            throw new InvalidOperationException(FailureText ?? $"{Name} is down");
        }

        Received.Enqueue(message);
    }
}

using Flows.Notifications.Delivery;
using Flows.Notifications.Tests.Delivery;
using Flows.Runs;
using Flows.Secrets;
using Flows.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Flows.Notifications.Tests.Hosting;

/// <summary>The hosted service AddNotifications registers, in a host running flows.</summary>
public sealed class NotificationServiceTests
{
    private const string Secret = "s3cr3t-db-password-7f2a";

    [Test]
    public async Task AFailedRun_CompletesWhileItsChannelIsDown_ThenIsDeliveredOnRetry_WithNoSecretInIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var channel = new RecordingChannel("ops") { FailuresLeft = 2, FailureText = $"refused by https://hooks.example.org/?token={Secret}" };
        using var host = Host(time, o =>
        {
            o.Channel(channel);
            o.Notify(n => n.When(RunEvent.Failed).To("ops"));
            o.DeliveryBackoff = TimeSpan.FromSeconds(10);
        });
        await host.StartAsync();
        var engine = host.Services.GetRequiredService<FlowEngine>();

        Guid runId;
        using (engine.Use())
        {
            var password = await engine.Secrets.GetAsync("db-password");
            var error = Assert.ThrowsAsync<InvalidOperationException>(() => NotifiedFlows.LogsIn("north", password));
            Assert.That(error!.Message, Does.StartWith("login refused"));
            runId = (await engine.Store.QueryRunsAsync(new RunQuery { Name = "logs-in" })).Single().Id;
        }

        Assert.That((await engine.Store.GetRunAsync(runId))!.State, Is.EqualTo(RunState.Failed));
        await Eventually.Until(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return !channel.Received.IsEmpty;
            },
            "the failure is delivered once the channel is back");
        var store = host.Services.GetServices<IHostedService>().OfType<NotificationService>().Single().Processor.Store;
        var record = (await store.GetNotificationsAsync(runId)).Single();
        await host.StopAsync();

        Assert.That((record.Status, record.Attempts, channel.Attempts), Is.EqualTo((NotificationStatus.Sent, 3, 3)));
        Assert.That(record.Error, Does.StartWith("InvalidOperationException: refused by https://hooks.example.org/?token="));
        Assert.That(channel.Received.Single().Error, Does.StartWith("InvalidOperationException: login refused"));
        Assert.That(channel.ReceivedText + record, Does.Not.Contain(Secret));
    }

    [Test]
    public void ARuleNamingAnUnknownChannel_StopsTheHostsStart_NamingRuleAndChannel()
    {
        using var host = Host(new FakeTimeProvider(), o => o.Notify(n => n.Named("on-call").When(RunEvent.Failed).To("pager")));

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(error!.Message, Does.Contain("rule 'on-call'").And.Contain("channel 'pager'"));
    }

    private static IHost Host(FakeTimeProvider time, Action<NotificationsOptions> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IRunStore>(new InMemoryRunStore(time));
        builder.Services.AddSingleton<ISecretProvider>(new InlineSecretProvider([new("db-password", Secret)]));
        builder.Services.AddFlows();
        builder.Services.AddNotifications(configure);
        return builder.Build();
    }
}

/// <summary>Flows of <see cref="NotificationServiceTests"/>.</summary>
public static class NotifiedFlows
{
    [Flow("logs-in")]
    public static Task LogsIn(string region, string password) =>
        throw new InvalidOperationException($"login refused for {region} with password {password}\nsecond line\nthird line");
}

using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Flows.Tests.Fixtures;

/// <summary>Flows and tasks that take secrets, and one that leaks its secret every way code can.</summary>
public static class SecretUsers
{
    private static int _bodyRuns;

    public static int BodyRuns => Volatile.Read(ref _bodyRuns);

    [Flow("secret-echo-length")]
    public static async Task<int> EchoLength([Secret("secret-api-key")] string apiKey = "")
    {
        Interlocked.Increment(ref _bodyRuns);
        await Task.Yield();
        return apiKey.Length;
    }

    [Task("secret-sync-length")]
    public static int SyncLength(int extra, [Secret("secret-api-key")] string apiKey = "") => apiKey.Length + extra;

    [Flow("secret-credential-user")]
    public static string CredentialUser([Secret("secret-db")] SecretCredential? db = null) =>
        db is null ? "none" : $"{db.Username}:{db.Password.Length}";

    [Flow("secret-on-demand")]
    public static async Task<int> OnDemand() => (await Flow.Secrets.GetAsync("secret-api-key")).Length;

    /// <summary>Logs a line whose state names a property by the secret, as code logging a dictionary of headers as its state could.</summary>
    [Flow("secret-named-property")]
    public static async Task NamedProperty()
    {
        var key = await Flow.Secrets.GetAsync("secret-api-key");
        Flow.Logger.Log(LogLevel.Information, default, new List<KeyValuePair<string, object?>> { new(key, "value"), new("Plain", 1) }, null, (_, _) => "headers");
    }

    /// <summary>Logs and throws the secret directly, in a format string, as a structured property and in exceptions, then returns it.</summary>
    [Flow("secret-leaky-flow")]
    public static async Task<string> Leaky(string note, [Secret("secret-leak-key")] string key = "")
    {
        try
        {
            await Leak(key);
        }
        catch (InvalidOperationException ex)
        {
            Flow.Logger.LogError(ex, "Leak failed for {Key}", key);
        }

        _ = EchoParameter(key);
        return $"{note} used {key}";
    }

    [Task("secret-leak", Retries = 1)]
    public static Task Leak(string key)
    {
#pragma warning disable CA2254 // The template is the secret itself on purpose: the test checks it is masked.
        Flow.Logger.LogInformation(key);
        Flow.Logger.LogInformation(string.Format(CultureInfo.InvariantCulture, "Calling VAN with key {0}", key));
#pragma warning restore CA2254
        Flow.Logger.LogInformation("Calling VAN with {ApiKey} and {Keys}", key, new[] { key });
        throw new InvalidOperationException($"VAN rejected key {key}");
    }

    /// <summary>A subflow that takes the secret as a plain parameter, so it is recorded in its parameters.</summary>
    [Flow("secret-echo-parameter")]
    public static string EchoParameter(string value) => value;
}

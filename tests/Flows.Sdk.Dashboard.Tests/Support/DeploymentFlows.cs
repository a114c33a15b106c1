using Microsoft.Extensions.Logging;

namespace Flows.Dashboard.Tests.Support;

/// <summary>How busy a <c>dash-typed</c> run says it is: an enum parameter, a select on the run form.</summary>
public enum Mood
{
    Calm,
    Busy,
}

/// <summary>The flows the deployments page tests run: one with a parameter of each kind the run form renders.</summary>
public static class DeploymentFlows
{
    /// <summary>The value of the secret <c>dash-token</c> the tests configure: it must never reach a page.</summary>
    public const string Token = "tok-s3cret-4242-never-shown";

    /// <summary>Takes a parameter of every kind (text, integer, number, checkbox, enum, date, JSON list) and a [Secret] one.</summary>
    [Flow("dash-typed", Description = "Loads a region")]
    public static string Typed(
        string region,
        int count,
        double ratio = 0.5,
        bool dryRun = false,
        Mood mood = Mood.Calm,
        DateOnly? day = null,
        int[]? ids = null,
        [Secret("dash-token")] string token = "")
    {
        Flow.Logger.LogInformation("Loading {Region} x{Count} (dry run {DryRun}, {Mood}, day {Day}, ids {Ids}, token {Length} chars)", region, count, dryRun, mood, day, ids?.Length ?? 0, token.Length);
        return $"{region}:{count}:{ratio}:{dryRun}:{mood}:{day}:{string.Join('|', ids ?? [])}";
    }
}

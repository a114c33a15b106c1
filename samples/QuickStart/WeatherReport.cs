using Flows;
using Microsoft.Extensions.Logging;

namespace QuickStart;

/// <summary>Readings of one station.</summary>
public sealed record Reading(string City, DateOnly Day, double HighCelsius, double RainMillimetres);

/// <summary>A summary of one city's week.</summary>
public sealed record CitySummary(string City, double AverageHigh, double TotalRain, int WetDays);

/// <summary>
/// A small daily report: for each city a subflow downloads a week of readings (the feed drops the first request
/// for one city, and the task's retry takes care of it) and summarises them; the parent flow publishes a table.
/// </summary>
public sealed class WeatherReport(WeatherFeed feed)
{
    [Task("download-readings", Retries = 2, RetryDelaySeconds = 0.2, Backoff = Backoff.Exponential, TimeoutSeconds = 30, Tags = ["weather-api"])]
    public async Task<Reading[]> Download(string city, CancellationToken cancellationToken)
    {
        Flow.Logger.LogInformation("Downloading readings for {City}", city);
        return await feed.WeekAsync(city, cancellationToken);
    }

    [Task("summarise")]
    public static CitySummary Summarise(string city, Reading[] readings) => new(
        city,
        Math.Round(readings.Average(r => r.HighCelsius), 1),
        Math.Round(readings.Sum(r => r.RainMillimetres), 1),
        readings.Count(r => r.RainMillimetres > 1));

    [Flow("city-report")]
    public async Task<CitySummary> City(string city, CancellationToken cancellationToken = default)
    {
        var readings = await Download(city, cancellationToken);
        return Summarise(city, readings);
    }

    [Task("publish")]
    public static string Publish(CitySummary[] summaries)
    {
        var lines = summaries
            .OrderBy(s => s.City, StringComparer.Ordinal)
            .Select(s => $"| {s.City,-10} | {s.AverageHigh,8:0.0} °C | {s.TotalRain,6:0.0} mm | {s.WetDays,8} |");
        var table = string.Join(Environment.NewLine, ["| City       | Avg high    | Rain      | Wet days |", .. lines]);
        Flow.Logger.LogInformation("Published a report of {Count} cities", summaries.Length);
        return table;
    }

    [Flow("daily-report", Description = "A week of weather for a few cities")]
    public async Task<string> Run(string[] cities, CancellationToken cancellationToken = default)
    {
        Flow.Logger.LogInformation("Reporting on {Count} cities", cities.Length);
        var summaries = await Task.WhenAll(cities.Select(c => City(c, cancellationToken)));
        return Publish(summaries);
    }
}

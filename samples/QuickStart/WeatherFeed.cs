namespace QuickStart;

/// <summary>
/// A stand-in for a weather API: deterministic readings per city, and a dropped connection on the first request
/// for the city named in <paramref name="flakyCity"/>, as real APIs do now and then.
/// </summary>
public sealed class WeatherFeed(string flakyCity)
{
    private int _flakyRequests;

    public async Task<Reading[]> WeekAsync(string city, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        if (city == flakyCity && Interlocked.Increment(ref _flakyRequests) == 1)
        {
            throw new HttpRequestException($"The weather service dropped the connection while sending {city}.");
        }

        var seed = city.Aggregate(17, (h, c) => (h * 31) + c);
        var random = new Random(seed);
        var monday = new DateOnly(2026, 11, 23);
        return
        [
            .. Enumerable.Range(0, 7).Select(d => new Reading(
                city,
                monday.AddDays(d),
                Math.Round(2 + (random.NextDouble() * 12), 1),
                Math.Round(random.NextDouble() < 0.4 ? random.NextDouble() * 9 : 0, 1))),
        ];
    }
}

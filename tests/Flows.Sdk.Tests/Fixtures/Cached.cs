namespace Flows.Tests.Fixtures;

/// <summary>Tasks that cache their results, counting how often their bodies run.</summary>
public sealed class Cached
{
    public int Calls { get; private set; }

    [Task("cached-square", CacheExpirationSeconds = 60)]
    public int Square(int x)
    {
        Calls++;
        return x * x;
    }

    [Task("cached-greeting", CacheKey = nameof(GreetingKey))]
    public async Task<string> Greeting(string name, int attempt, CancellationToken cancellationToken)
    {
        Calls++;
        await Task.Yield();
        return $"hello {name} #{attempt}";
    }

    internal static string GreetingKey(string name, int attempt) => name.ToUpperInvariant();

    [Task("cached-refreshing", CacheExpirationSeconds = 60, RefreshCache = true)]
    public int Refreshing(int x)
    {
        Calls++;
        return x + Calls;
    }

    [Task("cached-stream", CacheExpirationSeconds = 60)]
    public long Length(Stream stream)
    {
        Calls++;
        return stream.Length;
    }

    [Task("cached-handle", CacheExpirationSeconds = 60)]
    public Action Handle(int x)
    {
        Calls++;
        return () => { };
    }

    [Task("cached-echo", CacheExpirationSeconds = 60)]
    public string Echo(string text)
    {
        Calls++;
        return text;
    }

    [Task("cached-touch", CacheExpirationSeconds = 60)]
    public void Touch(string path) => Calls++;
}

using Flows.Secrets;

namespace Flows.Tests.Secrets;

/// <summary>A provider at the boundary: serves fixed values and counts how often it is asked, optionally answering later.</summary>
internal sealed class CountingSecretProvider(IReadOnlyDictionary<string, string> values, bool answerAsynchronously = false) : ISecretProvider
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string Describe(string name) => $"counting provider '{name}'";

    public async ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (answerAsynchronously)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return values.GetValueOrDefault(name);
    }
}

using Flows.Secrets;

namespace Flows.Tests.Secrets;

/// <summary>
/// A provider at the boundary: serves fixed values and counts how often it is asked. Optionally it answers later (on
/// the thread pool, not inline), or only once <see cref="Answer"/> is called, so a test decides when lookups overlap.
/// </summary>
internal sealed class CountingSecretProvider(IReadOnlyDictionary<string, string> values, bool answerAsynchronously = false, bool answerWhenTold = false) : ISecretProvider
{
    private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public string Describe(string name) => $"counting provider '{name}'";

    /// <summary>Lets every lookup made with <c>answerWhenTold</c> answer.</summary>
    public void Answer() => _answer.TrySetResult();

    public async ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (answerWhenTold)
        {
            await _answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (answerAsynchronously)
        {
            await Task.Yield();
        }

        return values.GetValueOrDefault(name);
    }
}

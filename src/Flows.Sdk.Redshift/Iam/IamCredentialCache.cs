using Flows.Redshift.Logging;

namespace Flows.Redshift.Iam;

/// <summary>
/// Holds the current IAM database credentials and fetches new ones once they are within
/// <see cref="RefreshMargin"/> of expiring, as the Redshift JDBC driver does. One fetch at a time.
/// </summary>
internal sealed class IamCredentialCache(Func<CancellationToken, Task<DbCredentials>> fetch, TimeProvider time) : IDisposable
{
    /// <summary>How long before expiry credentials stop being handed out.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DbCredentials? _current;

    public async ValueTask<DbCredentials> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh(Volatile.Read(ref _current)) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(_current) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var fetched = await fetch(cancellationToken).ConfigureAwait(false);
            RedshiftLog.IamCredentialsFetched(RedshiftLog.Current, fetched.User, fetched.Expiration);
            Volatile.Write(ref _current, fetched);
            return fetched;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private DbCredentials? Fresh(DbCredentials? credentials) =>
        credentials is not null && time.GetUtcNow() < credentials.Expiration - RefreshMargin ? credentials : null;
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Flows.CompilerServices;
using Flows.Engine;
using Flows.Logging;
using Flows.Stores;
using Microsoft.Extensions.Logging;

namespace Flows.Caching;

/// <summary>
/// Result caching for tasks with <c>CacheExpirationSeconds</c> or a <c>CacheKey</c>: computes a run's key before it
/// starts, looks the key up in the store, and keeps new results. The default key hashes the task's name, its
/// compile-time source hash (an edited body misses) and its inputs as JSON; a custom key replaces source hash and
/// inputs. Either way the values of its <see cref="SecretAttribute"/> parameters are folded in as slow digests (see
/// <see cref="KeyWithSecrets"/>). A result that shows a known secret is not kept. Entries kept by this engine are
/// served from memory until the recorder reports them stored (<see cref="Written"/>, which the engine hands the
/// recorder when it composes the two).
/// </summary>
internal sealed partial class TaskCache
{
    /// <summary>PBKDF2 iterations for a secret's digest: about 50 ms once per value and engine, as slow per guess for whoever reads the store.</summary>
    internal const int SecretDigestIterations = 100_000;

    private static readonly byte[] SecretDigestSalt = "Flows.Sdk cache key secret digest v1"u8.ToArray();

    private readonly IRunStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CacheEntry> _unwritten = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _secretDigests = new(StringComparer.Ordinal);

    /// <param name="store">Where entries are looked up once the recorder has stored them.</param>
    /// <param name="time">The clock entries expire by.</param>
    public TaskCache(IRunStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>True when runs of this binding look up and keep cached results.</summary>
    public static bool IsEnabled(DescriptorBinding binding) =>
        binding.Options.CacheExpirationSeconds > 0 || binding.Descriptor.HasCacheKey;

    /// <summary>
    /// The cache key of a call, or null when the task does not cache. Throws, naming the task and the input, when
    /// an input cannot be serialised: a silent miss would hide that caching never works.
    /// </summary>
    public static string? KeyFor<TArgs, TResult>(DescriptorBinding binding, RunDescriptor<TArgs, TResult> descriptor, TArgs args)
    {
        if (!IsEnabled(binding))
        {
            return null;
        }

        string material;
        if (descriptor.CacheKey is { } custom)
        {
            material = "key\n" + (custom(args) ?? throw new InvalidOperationException(
                $"{binding.Label}: its CacheKey method returned null; return a string that identifies the inputs."));
        }
        else
        {
            var writer = new ParameterWriter(binding.Label);
            descriptor.WriteParameters?.Invoke(args, writer);
            material = "inputs\n" + descriptor.SourceHash + "\n" + writer;
        }

        return Key(binding, material);
    }

    /// <summary>
    /// The key of a run whose task takes secrets: its key so far and, for each secret parameter, a PBKDF2-HMAC-SHA256
    /// digest of the value, never the value. Two different secrets give two keys; whoever reads keys in the store can
    /// test a guess at a secret only at the digest's cost. A value's digest is computed once per engine.
    /// </summary>
    public string KeyWithSecrets(DescriptorBinding binding, string key, IReadOnlyList<KeyValuePair<string, string>> secrets)
    {
        var material = new StringBuilder("secrets\n").Append(key);
        foreach (var (parameter, value) in secrets)
        {
            material.Append('\n').Append(parameter).Append('=').Append(_secretDigests.GetOrAdd(value, SecretDigest));
        }

        return Key(binding, material.ToString());
    }

    /// <summary>The cached result for the run's key, when there is a valid entry and the task is not refreshing.</summary>
    public ValueTask<CacheLookup<TResult>> LookupAsync<TResult>(RunContext run)
    {
        if (run.CacheKey is not { } key || run.Binding.Options.RefreshCache)
        {
            return default;
        }

        if (_unwritten.TryGetValue(key, out var recent))
        {
            return new(Read<TResult>(run, recent));
        }

        var stored = _store.GetCacheEntryAsync(key, run.Token);
        return stored.IsCompletedSuccessfully ? new(Read<TResult>(run, stored.Result)) : ReadAsync<TResult>(run, stored);
    }

    /// <summary>
    /// Keeps a completed caching run's result under its key and returns the entry to record, unless it could not be
    /// serialised or shows a secret (<paramref name="maskedJson"/> is not the same instance as
    /// <paramref name="resultJson"/>): a cache entry must read back as the value, so it cannot be masked, and a store
    /// is no place for a secret in clear. Either refusal is logged on the run, and returns null.
    /// </summary>
    public CacheEntry? Keep(RunContext run, string? resultJson, string? maskedJson, DateTimeOffset now)
    {
        if (run.CacheKey is not { } key)
        {
            return null;
        }

        if (resultJson is null)
        {
            LogNotCached(run.Binding.Logger, run.Binding.Label);
            return null;
        }

        if (!ReferenceEquals(maskedJson, resultJson))
        {
            LogSecretNotCached(run.Binding.Logger, run.Binding.Label);
            return null;
        }

        var seconds = run.Binding.Options.CacheExpirationSeconds;
        var entry = new CacheEntry(key, run.Binding.Options.Name, resultJson, run.Id, now, seconds > 0 ? now.AddSeconds(seconds) : null);
        _unwritten[key] = entry;
        return entry;
    }

    /// <summary>The recorder stored these entries: from now on they are read from the store.</summary>
    public void Written(IReadOnlyList<CacheEntry> entries)
    {
        foreach (var entry in entries)
        {
            _unwritten.TryRemove(new KeyValuePair<string, CacheEntry>(entry.Key, entry));
        }
    }

    [LoggerMessage(LogEventIds.CacheResultNotSerializable, LogLevel.Warning, "{Label} completed, but its result cannot be serialised to JSON, so it was not cached", EventName = nameof(LogEventIds.CacheResultNotSerializable))]
    private static partial void LogNotCached(ILogger logger, string label);

    [LoggerMessage(LogEventIds.CacheUnreachable, LogLevel.Warning, "{Label} could not look up its cached result: the run store cannot be reached. It runs as on a cache miss", EventName = nameof(LogEventIds.CacheUnreachable))]
    private static partial void LogCacheUnreachable(ILogger logger, string label, Exception exception);

    [LoggerMessage(LogEventIds.CacheResultShowsSecret, LogLevel.Warning, "{Label} completed, but its result shows a secret value, so it was not cached: the store would hold it in clear", EventName = nameof(LogEventIds.CacheResultShowsSecret))]
    private static partial void LogSecretNotCached(ILogger logger, string label);

    private static string Key(DescriptorBinding binding, string material)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(binding.Options.Name + "\n" + material));
        return binding.Options.Name + ":" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private static string SecretDigest(string value) =>
        Convert.ToHexStringLower(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(value), SecretDigestSalt, SecretDigestIterations, HashAlgorithmName.SHA256, 32));

    private async ValueTask<CacheLookup<TResult>> ReadAsync<TResult>(RunContext run, ValueTask<CacheEntry?> stored)
    {
        CacheEntry? entry;
        try
        {
            entry = await stored.ConfigureAwait(false);
        }
        catch (Exception ex) when (_store.IsTransient(ex))
        {
            // An outage the recorder rides out must not fail the runs it would let finish: the run computes its
            // result, as on a miss, and its writes wait in the recorder's queue for the store like every other.
            LogCacheUnreachable(run.Binding.Logger, run.Binding.Label, ex);
            return default;
        }

        return Read<TResult>(run, entry);
    }

    private CacheLookup<TResult> Read<TResult>(RunContext run, CacheEntry? entry)
    {
        if (entry is null || !entry.IsValidAt(_time.GetUtcNow()))
        {
            return default;
        }

        try
        {
            return new CacheLookup<TResult>(true, JsonSerializer.Deserialize<TResult>(entry.Result, FlowJson.Options)!, entry);
        }
        catch (JsonException)
        {
            // The result type changed shape since the entry was written: recompute rather than fail the run.
            return default;
        }
    }
}

/// <summary>The outcome of a cache lookup: a hit carries the cached value and the entry it came from.</summary>
internal readonly record struct CacheLookup<TResult>(bool Hit, TResult Value, CacheEntry? Entry);

using System.Buffers.Binary;

namespace Flows.Engine;

/// <summary>
/// Run and artifact ids: version 7 GUIDs (the creation time in milliseconds, then random bits), laid out exactly as
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/> lays them out, so ids sort by creation time. Its random bits come
/// from the operating system's cryptographic generator, a system call per id (about 0.35 µs here, more than the rest
/// of a task call); these come from <see cref="Random.Shared"/>, which the runtime seeds from the operating system.
/// Run ids identify, they guard nothing: with 74 random bits, two ids of the same millisecond collide with a
/// probability of about one in 10²² per pair.
/// </summary>
internal static class RunIds
{
    public static Guid Next(DateTimeOffset createdAt)
    {
        var (version, rest) = NextRandom();
        return Compose(createdAt.ToUnixTimeMilliseconds(), version, rest);
    }

    /// <summary>
    /// The random part of an id, to be put together with its time by <see cref="Compose"/> when read: 12 bits beside
    /// the version, then the variant and 62 bits; a run keeps these rather than the whole id.
    /// </summary>
    public static (ushort Version, ulong Random) NextRandom()
    {
        Span<byte> random = stackalloc byte[10];
        Random.Shared.NextBytes(random);
        random[2] = (byte)(0x80 | (random[2] & 0x3F));
        return ((ushort)(0x7000 | ((random[0] << 8 | random[1]) & 0x0FFF)), BinaryPrimitives.ReadUInt64BigEndian(random[2..]));
    }

    /// <summary>The id of the given creation time (Unix milliseconds) and random part.</summary>
    public static Guid Compose(long milliseconds, ushort version, ulong rest) => new(
        (int)(milliseconds >> 16),
        (short)milliseconds,
        (short)version,
        (byte)(rest >> 56),
        (byte)(rest >> 48),
        (byte)(rest >> 40),
        (byte)(rest >> 32),
        (byte)(rest >> 24),
        (byte)(rest >> 16),
        (byte)(rest >> 8),
        (byte)rest);
}

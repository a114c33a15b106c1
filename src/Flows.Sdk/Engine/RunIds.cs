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
        var milliseconds = createdAt.ToUnixTimeMilliseconds();
        Span<byte> random = stackalloc byte[10];
        Random.Shared.NextBytes(random);
        return new Guid(
            (int)(milliseconds >> 16),
            (short)milliseconds,
            (short)(0x7000 | ((random[0] << 8 | random[1]) & 0x0FFF)),
            (byte)(0x80 | (random[2] & 0x3F)),
            random[3],
            random[4],
            random[5],
            random[6],
            random[7],
            random[8],
            random[9]);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Flows.Orchestration.Running;

/// <summary>
/// The run id of a deployment's slot: the same (deployment, slot) always gives the same id, so a slot fired twice - by
/// two nodes, two processes on one file, a reconcile, a backfill - claims one run in the run store and no second.
/// </summary>
/// <remarks>
/// Shaped like a version 7 GUID: the first 48 bits are the slot's Unix milliseconds (so ids sort by slot, as the
/// engine's own ids sort by time), then the version and variant bits, and the rest are the first 74 bits of SHA-256 of
/// the deployment's name.
/// </remarks>
internal static class SlotRunIds
{
    public static Guid For(string deployment, DateTimeOffset slot)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(deployment), hash);

        Span<byte> bytes = stackalloc byte[16];
        Span<byte> millis = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(millis, slot.ToUnixTimeMilliseconds());
        millis[2..].CopyTo(bytes);
        bytes[6] = (byte)(0x70 | (hash[0] & 0x0F));
        bytes[7] = hash[1];
        bytes[8] = (byte)(0x80 | (hash[2] & 0x3F));
        hash[3..10].CopyTo(bytes[9..]);
        return new Guid(bytes, bigEndian: true);
    }
}

using System.Collections.Concurrent;
using Flows.Runs;

namespace Flows.Stores;

/// <summary>The list the store keeps its runs in.</summary>
public sealed partial class InMemoryRunStore
{
    /// <summary>
    /// A list that grows by chunks of <see cref="ChunkSize"/> slots and never copies a full one: a store keeping hundreds of
    /// thousands of runs allocates 8 B per run for its slots, instead of a doubling array's copies (about 21 B per run
    /// amortised) that land on the large object heap, where each growth counts towards a full collection.
    /// </summary>
    private sealed class ChunkedList
    {
        /// <summary>4,096 slots, 32 KB: under the large object heap's threshold.</summary>
        private const int ChunkBits = 12;
        private const int ChunkSize = 1 << ChunkBits;

        private object[][] _chunks = new object[4][];

        public int Count { get; private set; }

        public object this[int index]
        {
            get => _chunks[index >> ChunkBits][index & (ChunkSize - 1)];
            set => _chunks[index >> ChunkBits][index & (ChunkSize - 1)] = value;
        }

        public void Add(object item)
        {
            var chunk = Count >> ChunkBits;
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, _chunks.Length * 2);
            }

            var slot = Count & (ChunkSize - 1);
            ref var slots = ref _chunks[chunk];
            if (slots is null || slot == slots.Length)
            {
                // The first chunk starts small and doubles up to its full size, so a store of a few runs stays small.
                Array.Resize(ref slots, chunk == 0 ? Math.Min(ChunkSize, Math.Max(16, slot * 2)) : ChunkSize);
            }

            slots[slot] = item;
            Count++;
        }

        public object[] ToArray()
        {
            var all = new object[Count];
            for (var copied = 0; copied < Count; copied += ChunkSize)
            {
                Array.Copy(_chunks[copied >> ChunkBits], 0, all, copied, Math.Min(ChunkSize, Count - copied));
            }

            return all;
        }
    }
}

namespace Flows.Recording;

/// <summary>
/// The recorder's queue: any number of writers append to one list under a lock; the single reader swaps it for an
/// empty one and takes everything at once. An unbounded channel would do the same work, but its queue keeps segments
/// the size of its longest backlog for good, so a flow that started 400,000 task runs at once would leave megabytes
/// behind; here a list that grew past <see cref="KeptCapacity"/> is dropped once drained and the memory returns.
/// Writes never wait, but <see cref="WaitForRoomAsync"/> lets a producer hold back new work while the backlog (items
/// queued or being handled) is at its high-water mark, until the reader brings it down to half of that.
/// </summary>
internal sealed class DrainQueue<T>(int highWater = int.MaxValue)
{
    /// <summary>The largest list kept for reuse once drained.</summary>
    private const int KeptCapacity = 1024;

    private readonly Lock _gate = new();
    private readonly int _lowWater = highWater / 2;
    private List<T> _pending = [];
    private List<T>? _spare = [];
    private TaskCompletionSource? _reader;
    private TaskCompletionSource? _room;
    private int _backlog;
    private bool _completed;

    /// <summary>True when nothing waits to be taken.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count == 0;
            }
        }
    }

    /// <summary>Appends an item; false once <see cref="Complete"/> was called.</summary>
    public bool TryWrite(T item)
    {
        TaskCompletionSource? reader;
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _pending.Add(item);
            _backlog++;
            reader = _reader;
            _reader = null;
        }

        // The reader continues on the thread pool, never on the writer's thread.
        reader?.TrySetResult();
        return true;
    }

    /// <summary>Takes no more items; the reader gets those already taken, then null.</summary>
    public void Complete()
    {
        TaskCompletionSource? reader;
        lock (_gate)
        {
            _completed = true;
            reader = _reader;
            _reader = null;
        }

        reader?.TrySetResult();
        ReleaseRoomWaiters(force: true);
    }

    /// <summary>
    /// Completes at once while the backlog is under the high-water mark (or the queue is completed); otherwise when
    /// the reader has brought it down to the low-water mark.
    /// </summary>
    public ValueTask WaitForRoomAsync()
    {
        if (Volatile.Read(ref _backlog) < highWater)
        {
            return default;
        }

        lock (_gate)
        {
            if (_backlog < highWater || _completed)
            {
                return default;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new(_room.Task);
        }
    }

    /// <summary>Waits until there are items and takes them all, oldest first; null once completed and empty. One reader at a time.</summary>
    public async ValueTask<List<T>?> TakeAllAsync()
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_pending.Count > 0)
                {
                    var items = _pending;
                    _pending = _spare ?? [];
                    _spare = null;
                    return items;
                }

                if (_completed)
                {
                    return null;
                }

                _reader = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                arrived = _reader.Task;
            }

            await arrived.ConfigureAwait(false);
        }
    }

    /// <summary>Gives back a list <see cref="TakeAllAsync"/> returned, once its items are handled.</summary>
    public void Return(List<T> items)
    {
        items.Clear();
        if (items.Capacity <= KeptCapacity)
        {
            lock (_gate)
            {
                _spare = items;
            }
        }
    }

    /// <summary>The reader has handled <paramref name="count"/> of the items it took: they leave the backlog.</summary>
    public void Handled(int count)
    {
        lock (_gate)
        {
            _backlog -= count;
        }

        ReleaseRoomWaiters(force: false);
    }

    private void ReleaseRoomWaiters(bool force)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            if (_room is null || (!force && _backlog > _lowWater))
            {
                return;
            }

            room = _room;
            _room = null;
        }

        room.TrySetResult();
    }
}

using Flows.Engine;
using Flows.Recording;
using Flows.Runs;

namespace Flows.Engine;

/// <summary>
/// The run's record, kept on the live run rather than copied into a <see cref="RunRecord"/> at every transition:
/// stores read it when they need it (a store keeping live runs whenever it is queried, the recorder's writer when it
/// drains its queue), so a run costs one object however many states it goes through. Only <see cref="RunLifecycle"/>
/// changes it.
/// </summary>
/// <remarks>
/// The run's own code path writes these fields, one step at a time, under the lock on this object; other threads
/// (store queries, the recorder's writer) read them under the same lock. The usual life of a run, Pending (attempt
/// 0, when created), Running (attempt 1, when started), then its final state (when ended, its error as the message),
/// is described by the fields alone, so those transitions are counted in <see cref="_progress"/> rather than
/// stored. The first transition off that path (a wait, a retry, a cached result…) copies them into
/// the run's transitions list (one of its extras), which from then on holds every transition.
/// </remarks>
internal sealed partial class RunContext : ILiveRun
{
    // Times are UTC ticks, in an object kept per run: the creation's, and the start and end as ticks after it plus one
    // (0 until set), an int each, which holds runs of up to about 214 s; a time that does not fit (a longer run, a
    // clock set back) is kept among the extras instead.
    private readonly long _created;
    private int _startedAfter;
    private int _endedAfter;
    private int _attempt;

    /// <summary>
    /// One byte for three small fields, so that a run object stays at 72 bytes rather than 80 (the in-memory store
    /// keeps one per run): the state (bits 0-3; <see cref="RunState"/> has 11 values), the count of implied transitions
    /// (bits 4-5, 0-3), and how many of those the recorder has handed to its store (bits 6-7, 0-3; once the run has a
    /// transitions list, that count is kept among the extras beside the list). Written under the lock on this object
    /// (or before anyone else sees the run); a read of the state alone needs no lock.
    /// </summary>
    private byte _progress;

    /// <summary>1 while the run waits in the recorder's queue.</summary>
    private byte _queued;

    /// <summary>The current state.</summary>
    public RunState State => (RunState)(_progress & StateMask);

    /// <summary>The attempt in progress or last made, from 1 (0 before the first).</summary>
    public int Attempt => _attempt;

    /// <summary>When the first attempt started (or, for a cached result, when it was taken).</summary>
    public DateTimeOffset? StartedAt => UtcOrNull(StartedTicks);

    /// <summary>When the run reached its final state.</summary>
    public DateTimeOffset? EndedAt => UtcOrNull(EndedTicks);

    /// <summary>Records the run as created: Pending, at <see cref="CreatedAt"/>. Nobody else sees the run yet.</summary>
    public void SetPending()
    {
        SetState(RunState.Pending);

        // A continued run has its Pending transition listed already (see the constructor), at its start.
        if (_extras?.Transitions is null)
        {
            ImpliedCount = 1;
        }
    }

    /// <summary>An attempt starts: Running.</summary>
    public void StartAttempt(DateTimeOffset now)
    {
        lock (this)
        {
            _attempt++;
            SetState(RunState.Running);
            if (_attempt == 1)
            {
                SetStarted(now.UtcTicks);
                if (ImpliedCount == 1)
                {
                    ImpliedCount = 2;
                    return;
                }
            }

            Add(new StateTransition(Id, RunState.Running, now, _attempt));
        }
    }

    /// <summary>
    /// A transition in the middle of the run: Retrying (with its error), or Pending while waiting for a slot, which
    /// leaves the record's state as it was (a retry waiting for a slot stays Retrying; only its transitions show the wait).
    /// </summary>
    public void AddTransition(RunState state, DateTimeOffset now, string? message, string? error = null)
    {
        lock (this)
        {
            if (state != RunState.Pending)
            {
                SetState(state);
            }

            if (error is not null)
            {
                SetExtra(error, static (extras, v) => extras.Error = v);
            }

            Add(new StateTransition(Id, state, now, _attempt, message));
        }
    }

    /// <summary>
    /// The run reaches its final state; the transition's message is <paramref name="message"/>, else the error. With
    /// <paramref name="startsNow"/> (a cached result), a run that never started starts and ends at the same instant.
    /// </summary>
    public void End(RunState state, DateTimeOffset now, string? result, string? error, string? message, bool startsNow = false)
    {
        lock (this)
        {
            SetState(state);
            SetEnded(now.UtcTicks);
            SetExtra(result, static (extras, v) => extras.Result = v);
            SetExtra(error, static (extras, v) => extras.Error = v);
            if (StartedTicks == 0 && startsNow)
            {
                SetStarted(now.UtcTicks);
            }

            if (message is null && ImpliedCount == 2)
            {
                ImpliedCount = 3;
                return;
            }

            Add(new StateTransition(Id, state, now, _attempt, message ?? error));
        }
    }

    /// <inheritdoc />
    public RunRecord Snapshot()
    {
        lock (this)
        {
            var origin = _extras?.Origin;
            return new RunRecord
            {
                Id = Id,
                Kind = Descriptor.Kind,
                Name = Descriptor.Name,
                FlowRunId = FlowRunId,
                ParentRunId = Parent?.Id,
                State = State,
                // A retried crash's record shows the attempt its claim counted from the start, not the one before it.
                Attempt = origin is null ? _attempt : Math.Max(_attempt, origin.ClaimedAttempt),
                Parameters = Parameters,
                Result = _extras?.Result,
                CacheKey = CacheKey,
                Error = _extras?.Error,
                Tags = origin?.Tags ?? Binding.Options.Tags,
                Version = Binding.Options.Version,
                CreatedAt = CreatedAt,
                StartedAt = StartedAt,
                EndedAt = EndedAt,
                Deployment = origin?.Deployment,
                ScheduledFor = origin?.ScheduledFor,
            };
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StateTransition> Transitions()
    {
        lock (this)
        {
            return _extras?.Transitions is { } list ? [.. list] : Implied(ImpliedCount);
        }
    }

    /// <summary>Marks the run queued in the recorder; false when it already was.</summary>
    public bool TryMarkQueued() => Interlocked.Exchange(ref _queued, (byte)1) == 0;

    /// <summary>
    /// For the recorder's writer: takes the run out of the queue and returns its record as it is now, adding to
    /// <paramref name="transitions"/> those not taken before.
    /// </summary>
    public RunRecord TakeChanges(List<StateTransition> transitions)
    {
        Volatile.Write(ref _queued, (byte)0);
        lock (this)
        {
            var listed = _extras?.Transitions;
            var all = listed ?? Implied(ImpliedCount);
            for (var i = listed is null ? TakenImplied : _extras!.Taken; i < all.Count; i++)
            {
                transitions.Add(all[i]);
            }

            if (listed is null)
            {
                TakenImplied = all.Count;
            }
            else
            {
                _extras!.Taken = all.Count;
            }

            return Snapshot();
        }
    }

    private void Add(StateTransition transition)
    {
        var extras = Extras;
        if (extras.Transitions is null)
        {
            extras.Taken = TakenImplied;
            extras.Transitions = Implied(ImpliedCount);
            _progress &= StateMask;
        }

        extras.Transitions.Add(transition);
    }

    /// <summary>The first <paramref name="count"/> transitions of the usual life of a run, from the record's fields.</summary>
    private List<StateTransition> Implied(int count)
    {
        var list = new List<StateTransition>(count + 2);
        if (count >= 1)
        {
            list.Add(new StateTransition(Id, RunState.Pending, CreatedAt, 0));
        }

        if (count >= 2)
        {
            list.Add(new StateTransition(Id, RunState.Running, Utc(StartedTicks), 1));
        }

        if (count >= 3)
        {
            list.Add(new StateTransition(Id, State, Utc(EndedTicks), _attempt, _extras?.Error));
        }

        return list;
    }

    private const byte StateMask = 0x0F;

    /// <summary>The count of implied transitions, bits 4-5 of <see cref="_progress"/>.</summary>
    private int ImpliedCount
    {
        get => (_progress >> 4) & 3;
        set => _progress = (byte)((_progress & 0xCF) | (value << 4));
    }

    /// <summary>How many implied transitions the recorder has taken, bits 6-7 of <see cref="_progress"/>.</summary>
    private int TakenImplied
    {
        get => _progress >> 6;
        set => _progress = (byte)((_progress & 0x3F) | (value << 6));
    }

    private void SetState(RunState state) => _progress = (byte)((_progress & ~StateMask) | (byte)state);

    private long StartedTicks => TicksAt(_startedAfter, _extras?.StartedTicks ?? 0);

    private long EndedTicks => TicksAt(_endedAfter, _extras?.EndedTicks ?? 0);

    private long TicksAt(int after, long kept) => after != 0 ? _created + after - 1 : kept;

    private void SetStarted(long ticks)
    {
        _startedAfter = After(ticks);
        if (_startedAfter == 0 || _extras is not null)
        {
            Extras.StartedTicks = _startedAfter == 0 ? ticks : 0;
        }
    }

    private void SetEnded(long ticks)
    {
        _endedAfter = After(ticks);
        if (_endedAfter == 0 || _extras is not null)
        {
            Extras.EndedTicks = _endedAfter == 0 ? ticks : 0;
        }
    }

    /// <summary>The ticks after creation plus one, or 0 when that does not fit an int.</summary>
    private int After(long ticks) => ticks - _created + 1 is var after and > 0 and <= int.MaxValue ? (int)after : 0;

    private static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? UtcOrNull(long ticks) => ticks == 0 ? null : Utc(ticks);
}

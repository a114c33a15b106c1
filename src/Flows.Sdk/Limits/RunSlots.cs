using Flows.Engine;

namespace Flows.Limits;

/// <summary>
/// What one attempt holds: its own <see cref="SharedSlots"/>, or those of an enclosing attempt when it took no slot
/// of its own. Disposing gives the attempt's share back. The default value holds nothing.
/// </summary>
internal readonly struct RunSlots(RunContext run, SharedSlots? slots) : IDisposable
{
    public void Dispose()
    {
        if (slots is null)
        {
            return;
        }

        // Runs this attempt started and that are still going hold their own share; later ones take their own slots.
        run.HeldSlots = null;
        slots.Leave();
    }
}

using Flows.Orchestration.Running;

namespace Flows.Orchestration.Tests.Running;

public sealed class SlotRunIdsTests
{
    private static readonly DateTimeOffset Slot = new(2026, 3, 8, 6, 0, 0, TimeSpan.Zero);

    [Test]
    public void TheSameDeploymentAndSlot_GiveTheSameId() =>
        Assert.That(SlotRunIds.For("nightly", Slot), Is.EqualTo(SlotRunIds.For("nightly", Slot.ToOffset(TimeSpan.FromHours(-5)))));

    [Test]
    public void AnotherDeploymentOrSlot_GivesAnotherId() =>
        Assert.That(new[] { SlotRunIds.For("nightly", Slot), SlotRunIds.For("nightly-2", Slot), SlotRunIds.For("nightly", Slot.AddSeconds(1)) }, Is.Unique);

    [Test]
    public void Ids_AreVersion7Shaped_AndSortBySlot()
    {
        var ids = Enumerable.Range(0, 50).Select(i => SlotRunIds.For($"d{i % 7}", Slot.AddMinutes(i))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(ids.Select(id => id.Version), Is.All.EqualTo(7));
            Assert.That(ids.Select(id => id.ToString()), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        });
    }
}

using NUnit.Framework;
using Eal.Bus;

namespace Eal.Tests.Iova;

[TestFixture]
public sealed class IovaModeSelectorTests
{
    private const IovaMode DC = IovaMode.DontCare, PA = IovaMode.PA, VA = IovaMode.VA;

    // requested, bus answers, physical addresses, IOMMU -> expected mode, reason fragment
    private static IEnumerable<TestCaseData> Cases()
    {
        // --iova-mode wins over everything that allows it.
        yield return new TestCaseData((IovaMode?)VA, new[] { DC }, true, false, VA, "--iova-mode=va given").SetName("requested VA");
        yield return new TestCaseData((IovaMode?)PA, new[] { DC }, true, true, PA, "--iova-mode=pa given").SetName("requested PA with IOMMU");
        yield return new TestCaseData((IovaMode?)VA, new[] { PA }, true, true, VA, "--iova-mode=va given").SetName("requested VA overrides a PA bus");
        // Bus answers.
        yield return new TestCaseData(null, new[] { VA, DC }, true, false, VA, "bus b0 requires IOVA as 'va'").SetName("one bus wants VA");
        yield return new TestCaseData(null, new[] { DC, PA }, true, true, PA, "bus b1 requires IOVA as 'pa'").SetName("one bus wants PA (no-IOMMU)");
        yield return new TestCaseData(null, new[] { VA, VA }, false, false, VA, "bus b0, b1 requires").SetName("two buses want VA");
        // Buses disagree: don't care, then the environment decides.
        yield return new TestCaseData(null, new[] { VA, PA }, true, true, VA, "an IOMMU is present").SetName("conflict, IOMMU present");
        yield return new TestCaseData(null, new[] { VA, PA }, true, false, PA, "no IOMMU and physical addresses").SetName("conflict, no IOMMU");
        // Nobody cares.
        yield return new TestCaseData(null, new[] { DC }, false, true, VA, "physical addresses are unavailable").SetName("no phys addrs -> VA");
        yield return new TestCaseData(null, new[] { DC }, false, false, VA, "physical addresses are unavailable").SetName("no phys addrs, no IOMMU -> VA");
        yield return new TestCaseData(null, new[] { DC }, true, true, VA, "an IOMMU is present").SetName("IOMMU -> VA");
        yield return new TestCaseData(null, new[] { DC }, true, false, PA, "no IOMMU and physical addresses").SetName("no IOMMU -> PA");
        yield return new TestCaseData(null, Array.Empty<IovaMode>(), true, false, PA, "no IOMMU").SetName("no buses, no IOMMU -> PA");
    }

    [TestCaseSource(nameof(Cases))]
    public void Selects_like_dpdk(IovaMode? requested, IovaMode[] buses, bool physAddrs, bool iommu, IovaMode expected, string reason)
    {
        var decision = IovaModeSelector.Select(new IovaModeInputs(requested, Buses(buses), physAddrs, iommu));
        Assert.That(decision.Mode, Is.EqualTo(expected));
        Assert.That(decision.Reason, Does.Contain(reason));
    }

    [Test]
    public void Conflicting_buses_are_warned_about_by_name()
    {
        var decision = IovaModeSelector.Select(new IovaModeInputs(null, Buses([VA, PA]), true, true));
        Assert.That(decision.Warnings, Has.Count.EqualTo(1));
        Assert.That(decision.Warnings[0], Does.Contain("Buses b0 want IOVA as 'VA' but b1 want 'PA'"));
    }

    [Test]
    public void Overriding_a_bus_requirement_is_warned_about()
    {
        var decision = IovaModeSelector.Select(new IovaModeInputs(PA, Buses([VA]), true, true));
        Assert.That(decision.Warnings.Single(), Does.Contain("--iova-mode=pa overrides bus b0 which wants 'va'"));
    }

    [TestCase(PA, DC)]
    [TestCase(null, PA)]
    public void PA_without_physical_addresses_is_an_error(IovaMode? requested, IovaMode bus)
    {
        var ex = Assert.Throws<IovaModeException>(() =>
            IovaModeSelector.Select(new IovaModeInputs(requested, Buses([bus]), false, false)));
        Assert.That(ex!.Message, Does.StartWith("Cannot use IOVA as 'PA'").And.Contain("--iova-mode=va"));
    }

    [TestCase(new[] { VA }, VA)]
    [TestCase(new[] { PA, DC }, PA)]
    [TestCase(new[] { PA, VA }, DC)]
    [TestCase(new[] { DC, DC }, DC)]
    public void Buses_combine_like_rte_bus_get_iommu_class(IovaMode[] buses, IovaMode expected) =>
        Assert.That(IovaModeSelector.CombineBuses(Buses(buses)), Is.EqualTo(expected));

    private static (string, IovaMode)[] Buses(IovaMode[] modes) => modes.Select((m, i) => ($"b{i}", m)).ToArray();
}

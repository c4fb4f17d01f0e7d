namespace Eal.Bus.Pci;

/// <summary>
/// A PCI poll-mode driver (DPDK's <c>struct rte_pci_driver</c>): an id table, flags, probe and remove.
/// Register it with <c>services.AddPciDriver&lt;T&gt;()</c>.
/// </summary>
public abstract class PciDriver : Driver
{
    /// <summary>The functions this driver can drive; a function matches when any entry matches.</summary>
    public abstract IReadOnlyList<PciId> IdTable { get; }

    /// <summary>Whether <paramref name="device"/> matches an entry of <see cref="IdTable"/>.</summary>
    public bool Matches(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var id = device.Id;
        foreach (var entry in IdTable)
            if (entry.Matches(id)) return true;
        return false;
    }

    /// <summary>
    /// Takes the device. The bus has already checked the IOVA mode and, for <see cref="DriverFlags.NeedMapping"/>
    /// drivers, mapped the BARs. Return <see cref="ProbeOutcome.Declined"/> when it is not this driver's device
    /// after all; throw (with a message naming the device and the fix) when it fails.
    /// </summary>
    public abstract ProbeOutcome Probe(PciDevice device);

    /// <summary>Releases the device (DPDK's <c>remove</c>); the bus unmaps BARs afterwards.</summary>
    public virtual void Remove(PciDevice device) { }

    /// <summary>
    /// The IOVA mode this driver needs for <paramref name="device"/>: the hook a driver that coexists with a
    /// kernel driver overrides to say it needs PA or VA for a given device (e.g. PA when the IOMMU is in
    /// passthrough). The default is <see cref="IovaMode.VA"/> with <see cref="DriverFlags.NeedIovaAsVa"/>,
    /// else <see cref="IovaMode.DontCare"/>. The kernel's own constraints (UIO, VFIO no-IOMMU: PA) take
    /// precedence; see <see cref="PciBus.GetDeviceIovaMode"/>.
    /// </summary>
    public virtual IovaMode GetRequiredIovaMode(PciDevice device) =>
        (Flags & DriverFlags.NeedIovaAsVa) != 0 ? IovaMode.VA : IovaMode.DontCare;
}

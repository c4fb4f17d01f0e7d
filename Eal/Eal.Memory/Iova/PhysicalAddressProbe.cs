using Eal.Bus;
using Eal.Memory.Os;

namespace Eal.Memory.Iova;

/// <summary>Decides the IOVA mode when nothing forces it, as DPDK's <c>rte_eal_init</c> does.</summary>
public static class IovaModeSelector
{
    /// <summary>
    /// True when physical addresses can be read: hugepages are in use and <c>/proc/self/pagemap</c> returns a
    /// non-zero frame for a probe page (root or <c>CAP_SYS_ADMIN</c>).
    /// </summary>
    public static bool PhysicalAddressesAvailable(IMemoryOs os, bool usingHugepages, nint probeAddress)
    {
        ArgumentNullException.ThrowIfNull(os);
        return usingHugepages && os.VirtualToPhysical(probeAddress) != null;
    }

    /// <summary>
    /// Resolves <paramref name="requested"/>: VA or PA are kept; don't-care becomes VA when physical addresses are
    /// unavailable or an IOMMU is present (<c>SysfsRoot/kernel/iommu_groups</c> has entries), else PA.
    /// PA without physical addresses fails with what to do.
    /// </summary>
    public static IovaMode Select(IovaMode requested, bool physicalAddressesAvailable, bool iommuPresent)
    {
        IovaMode mode = requested switch
        {
            IovaMode.VA => IovaMode.VA,
            IovaMode.PA => IovaMode.PA,
            _ => !physicalAddressesAvailable || iommuPresent ? IovaMode.VA : IovaMode.PA,
        };
        if (mode == IovaMode.PA && !physicalAddressesAvailable)
        {
            throw new MemoryException(PhysicalAddressesUnavailableMessage);
        }

        return mode;
    }

    /// <summary>True when the sysfs tree lists at least one IOMMU group.</summary>
    public static bool IommuPresent(IMemoryOs os)
    {
        ArgumentNullException.ThrowIfNull(os);
        return os.ListDirectory(Path.Combine(os.SysfsRoot, "kernel", "iommu_groups")).Count > 0;
    }

    internal const string PhysicalAddressesUnavailableMessage =
        "Cannot use IOVA as 'PA' since physical addresses are not available: /proc/self/pagemap gives no page frame numbers " +
        "(run as root or with CAP_SYS_ADMIN, and use hugepages), or use --iova-mode=va.";
}

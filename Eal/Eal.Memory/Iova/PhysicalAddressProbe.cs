using Eal.Bus;
using Eal.Memory.Os;

namespace Eal.Memory.Iova;

/// <summary>
/// What the memory subsystem reports to the IOVA-mode decision (<see cref="IovaModeSelector"/>): can physical
/// addresses be read, is an IOMMU present.
/// </summary>
public static class PhysicalAddressProbe
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

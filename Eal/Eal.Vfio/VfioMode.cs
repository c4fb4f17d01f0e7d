namespace Eal.Vfio;

/// <summary>The VFIO backend a device or container uses (DPDK's <c>enum rte_vfio_mode</c>).</summary>
public enum VfioMode
{
    /// <summary>No VFIO: the kernel offers none of the backends.</summary>
    None,

    /// <summary>Container/group API with an IOMMU: <c>/dev/vfio/vfio</c> + <c>/dev/vfio/N</c>, type1v2 IOMMU.</summary>
    Group,

    /// <summary>
    /// Group API without an IOMMU (<c>/dev/vfio/noiommu-N</c>, <c>VFIO_NOIOMMU_IOMMU</c>). UNSAFE: the device can
    /// DMA anywhere in physical memory; IOVAs are physical addresses.
    /// </summary>
    NoIommu,

    /// <summary>Device cdev with IOMMUFD: <c>/dev/iommu</c> (IOAS) + <c>/dev/vfio/devices/vfioN</c> (bind, attach).</summary>
    Cdev,
}

/// <summary>What <c>--vfio-mode</c> asked for.</summary>
public enum VfioModeRequest
{
    /// <summary>Pick per device what the kernel offers: cdev, else group, else no-IOMMU.</summary>
    Auto,

    /// <summary>Only the group backend; an error for devices the kernel cannot give in that mode.</summary>
    Group,

    /// <summary>Only the unsafe no-IOMMU backend.</summary>
    NoIommu,

    /// <summary>Only the cdev (IOMMUFD) backend.</summary>
    Cdev,
}

/// <summary>Names used in messages and option values.</summary>
public static class VfioModeNames
{
    /// <summary>The option spelling: <c>none</c>, <c>group</c>, <c>noiommu</c>, <c>cdev</c>.</summary>
    public static string ToOptionValue(this VfioMode mode) => mode switch
    {
        VfioMode.Group => "group",
        VfioMode.NoIommu => "noiommu",
        VfioMode.Cdev => "cdev",
        _ => "none",
    };
}

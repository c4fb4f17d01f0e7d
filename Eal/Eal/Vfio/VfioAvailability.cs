using Eal.Options;
using Eal.Platform;

namespace Eal.Vfio;

/// <summary>
/// What VFIO the kernel offers this process, read through the OS seam: the <c>vfio</c> module, the
/// container node, IOMMUFD, the unsafe no-IOMMU switch. Chooses the process-wide backend for
/// <c>--vfio-mode</c>; per-device choices refine it (a device without a <c>vfio-dev</c> node cannot use cdev).
/// </summary>
public sealed record VfioAvailability(bool ModuleLoaded, bool ContainerNode, bool IommufdNode, bool CdevDirectory, bool NoIommuEnabled)
{
    /// <summary>Reads the kernel's state.</summary>
    public static VfioAvailability Read(IPlatform platform)
    {
        string module = Path.Combine(platform.SysfsRoot, "module", "vfio");
        string noiommu = Path.Combine(module, "parameters", "enable_unsafe_noiommu_mode");
        return new VfioAvailability(
            ModuleLoaded: Directory.Exists(module),
            ContainerNode: File.Exists(Path.Combine(platform.DevRoot, "vfio", "vfio")),
            IommufdNode: File.Exists(Path.Combine(platform.DevRoot, "iommu")),
            CdevDirectory: Directory.Exists(Path.Combine(platform.DevRoot, "vfio", "devices")),
            NoIommuEnabled: File.Exists(noiommu) && File.ReadAllText(noiommu).Trim() is "Y" or "y" or "1");
    }

    /// <summary>
    /// The backend to use: <c>cdev</c>, <c>group</c>, <c>noiommu</c>, or <c>none</c> when the kernel has no
    /// VFIO (as DPDK, EAL then runs without it: "VFIO modules not loaded, skipping").
    /// </summary>
    /// <exception cref="EalInitException">An explicit mode the kernel cannot provide.</exception>
    public string Select(VfioBackendMode requested)
    {
        switch (requested)
        {
            case VfioBackendMode.Cdev:
                if (!IommufdNode)
                    throw new EalInitException("--vfio-mode=cdev: /dev/iommu does not exist: the kernel has no IOMMUFD (CONFIG_IOMMUFD) or the iommufd module is not loaded; load it or use --vfio-mode=group");
                if (!CdevDirectory)
                    throw new EalInitException("--vfio-mode=cdev: /dev/vfio/devices does not exist: the kernel lacks VFIO device cdevs (CONFIG_VFIO_DEVICE_CDEV); use --vfio-mode=group");
                return "cdev";
            case VfioBackendMode.Group:
                if (!ContainerNode)
                    throw new EalInitException("--vfio-mode=group: /dev/vfio/vfio does not exist: load the vfio-pci module (modprobe vfio-pci) or use --vfio-mode=auto");
                if (NoIommuEnabled)
                    throw new EalInitException("--vfio-mode=group: the kernel runs VFIO in unsafe no-IOMMU mode, so groups have no IOMMU; use --vfio-mode=noiommu, or disable enable_unsafe_noiommu_mode");
                return "group";
            case VfioBackendMode.NoIommu:
                if (!ContainerNode)
                    throw new EalInitException("--vfio-mode=noiommu: /dev/vfio/vfio does not exist: load the vfio-pci module first");
                if (!NoIommuEnabled)
                    throw new EalInitException("--vfio-mode=noiommu: unsafe no-IOMMU mode is off; enable it with 'echo Y > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode' (devices can then DMA anywhere in memory)");
                return "noiommu";
            default:
                if (IommufdNode && CdevDirectory && !NoIommuEnabled) return "cdev";
                if (ContainerNode) return NoIommuEnabled ? "noiommu" : "group";
                return "none";
        }
    }
}

using Eal.Vfio.Uapi;

namespace Eal.Vfio.Backends;

/// <summary>What a backend needs to open one device.</summary>
/// <param name="Address">Device name ("0000:01:00.0").</param>
/// <param name="Group">IOMMU group (group and no-IOMMU backends).</param>
/// <param name="CdevIndex">N of <c>/dev/vfio/devices/vfioN</c> (cdev backend).</param>
/// <param name="VfToken">The VF token (SR-IOV VFs of a vfio-pci PF), or null.</param>
internal readonly record struct DeviceTarget(string Address, int? Group, int? CdevIndex, Guid? VfToken);

/// <summary>
/// One VFIO backend: how a container is opened, how a device joins it, how DMA is mapped. Three implementations:
/// <see cref="GroupBackend"/> (type1v2), <see cref="NoIommuBackend"/>, <see cref="CdevBackend"/> (IOMMUFD). Every
/// method that opens something releases it again before throwing.
/// </summary>
internal interface IVfioBackend
{
    /// <summary>The mode it implements.</summary>
    VfioMode Mode { get; }

    /// <summary>Whether an unmap may cut a user mapping anywhere (no-IOMMU) or only at original chunk bounds.</summary>
    bool PartialUnmap { get; }

    /// <summary>Opens a new empty container.</summary>
    VfioContainerState OpenContainer();

    /// <summary>Closes the container (its devices were already detached).</summary>
    void CloseContainer(VfioContainerState state);

    /// <summary>Whether DMA map calls reach the kernel now (a group container needs its IOMMU type set first).</summary>
    bool IsDmaReady(VfioContainerState state);

    /// <summary>
    /// Opens the device inside the container. <paramref name="becameReady"/> is true when this made the container
    /// DMA-ready (the first group of a group container: the caller maps memory and replays user maps).
    /// </summary>
    /// <returns>The device fd.</returns>
    int AttachDevice(VfioContainerState state, in DeviceTarget target, out bool becameReady);

    /// <summary>Closes the device fd and undoes its part of the container (the group leaves when it was the last device).</summary>
    void DetachDevice(VfioContainerState state, in DeviceTarget target, int deviceFd);

    /// <summary>Maps [<paramref name="iova"/>, +<paramref name="length"/>) to <paramref name="va"/>: 0 or <c>-errno</c>.</summary>
    int Map(VfioContainerState state, ulong va, ulong iova, ulong length);

    /// <summary>Unmaps; <paramref name="unmapped"/> is what the kernel says it removed: 0 or <c>-errno</c>.</summary>
    int Unmap(VfioContainerState state, ulong iova, ulong length, out ulong unmapped);

    /// <summary>The usable IOVA ranges (inclusive ends).</summary>
    IReadOnlyList<VfioIovaRange> GetIovaRanges(VfioContainerState state);

    /// <summary>The ioctl name of <see cref="Map"/> and <see cref="Unmap"/>, for messages.</summary>
    (string Map, string Unmap) CallNames { get; }
}

using System.Runtime.CompilerServices;
using Eal.Platform;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio;

/// <summary>
/// An open VFIO device (the fd from <c>VFIO_GROUP_GET_DEVICE_FD</c> or a bound and attached
/// <c>/dev/vfio/devices/vfioN</c>): device, region and IRQ info, IRQ eventfds, reset, region access and mmap.
/// Obtained from <see cref="VfioManager.SetupDevice"/> or <see cref="VfioManager.AssignDevice"/>; released with
/// <see cref="VfioManager.ReleaseDevice"/>.
/// </summary>
public sealed unsafe class VfioDevice
{
    private readonly IKernel _kernel;
    private ulong? _configOffset;

    internal VfioDevice(IKernel kernel, string address, VfioMode mode, int fd, VfioContainer container, int? group, int? cdevIndex)
    {
        _kernel = kernel;
        Address = address;
        Mode = mode;
        Fd = fd;
        Container = container;
        Group = group;
        CdevIndex = cdevIndex;
    }

    /// <summary>The device name ("0000:01:00.0").</summary>
    public string Address { get; }

    /// <summary>The backend the device was opened with.</summary>
    public VfioMode Mode { get; }

    /// <summary>The device fd.</summary>
    public int Fd { get; }

    /// <summary>The container the device is assigned to.</summary>
    public VfioContainer Container { get; }

    /// <summary>IOMMU group (group and no-IOMMU modes).</summary>
    public int? Group { get; }

    /// <summary>N of <c>/dev/vfio/devices/vfioN</c> (cdev mode).</summary>
    public int? CdevIndex { get; }

    /// <summary>True once released; every operation then fails.</summary>
    public bool IsReleased { get; internal set; }

    /// <summary><c>VFIO_DEVICE_GET_INFO</c>.</summary>
    /// <exception cref="VfioException">The ioctl failed.</exception>
    public VfioDeviceInfo GetInfo()
    {
        ThrowIfReleased();
        var info = new VfioDeviceInfo { Argsz = (uint)sizeof(VfioDeviceInfo) };
        Check(_kernel.Ioctl(Fd, VfioIoctl.DeviceGetInfo, &info), "VFIO_DEVICE_GET_INFO");
        return info;
    }

    /// <summary>
    /// <c>VFIO_DEVICE_GET_REGION_INFO</c> for region <paramref name="index"/>, growing the buffer while the kernel asks
    /// for more (capability chain), and decoding sparse-mmap areas, MSI-X mappable and region type.
    /// </summary>
    /// <exception cref="VfioException">The ioctl failed or the capability chain is malformed.</exception>
    public VfioRegion GetRegionInfo(uint index)
    {
        ThrowIfReleased();
        int size = sizeof(VfioRegionInfo);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            byte[] buffer = new byte[size];
            fixed (byte* p = buffer)
            {
                var head = (VfioRegionInfo*)p;
                head->Argsz = (uint)size;
                head->Index = index;
                Check(_kernel.Ioctl(Fd, VfioIoctl.DeviceGetRegionInfo, p), "VFIO_DEVICE_GET_REGION_INFO region " + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (head->Argsz > size)
                {
                    size = (int)head->Argsz; // the chain does not fit: call again with what the kernel asked for
                    continue;
                }

                return Decode(buffer.AsSpan(0, (int)Math.Max(head->Argsz, (uint)sizeof(VfioRegionInfo))), *head);
            }
        }

        throw VfioException.Create("VFIO_DEVICE_GET_REGION_INFO region " + index.ToString(System.Globalization.CultureInfo.InvariantCulture), Errno.EOVERFLOW, Address,
            detail: "the kernel kept asking for a larger buffer", fix: "this is a kernel or device-model bug; report it");
    }

    private VfioRegion Decode(ReadOnlySpan<byte> bytes, VfioRegionInfo head)
    {
        IReadOnlyList<VfioRegionSparseMmapArea>? sparse = null;
        bool msix = false;
        (uint, uint)? type = null;
        try
        {
            foreach (var cap in VfioCapabilityChain.FromRegionInfo(bytes))
            {
                switch (cap.Id)
                {
                    case VfioConstants.RegionInfoCapSparseMmap:
                        sparse = cap.ReadSparseMmapAreas().ToArray();
                        break;
                    case VfioConstants.RegionInfoCapMsixMappable:
                        msix = true;
                        break;
                    case VfioConstants.RegionInfoCapType:
                        var t = cap.Read<VfioRegionInfoCapType>();
                        type = (t.Type, t.Subtype);
                        break;
                }
            }
        }
        catch (UapiFormatException e)
        {
            throw new VfioException($"VFIO_DEVICE_GET_REGION_INFO region {head.Index} on {Address}: malformed capability chain: {e.Message}", e);
        }

        return new VfioRegion(head.Index, head.Flags, head.Size, head.Offset, sparse, msix, type);
    }

    /// <summary><c>VFIO_DEVICE_GET_IRQ_INFO</c> for IRQ index <paramref name="index"/> (vfio-pci: INTx 0, MSI 1, MSI-X 2, ERR 3, REQ 4).</summary>
    /// <exception cref="VfioException">The ioctl failed.</exception>
    public VfioIrqInfo GetIrqInfo(uint index)
    {
        ThrowIfReleased();
        var info = new VfioIrqInfo { Argsz = (uint)sizeof(VfioIrqInfo), Index = index };
        Check(_kernel.Ioctl(Fd, VfioIoctl.DeviceGetIrqInfo, &info), "VFIO_DEVICE_GET_IRQ_INFO index " + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return info;
    }

    /// <summary>
    /// <c>VFIO_DEVICE_SET_IRQS</c> with <c>DATA_EVENTFD | ACTION_TRIGGER</c>: vector <c>start + i</c> signals
    /// <paramref name="eventFds"/>[i] (-1 de-assigns that vector).
    /// </summary>
    /// <exception cref="VfioException">The ioctl failed.</exception>
    public void SetIrqEventFds(uint index, uint start, ReadOnlySpan<int> eventFds)
    {
        ThrowIfReleased();
        Span<byte> buffer = stackalloc byte[VfioIrqSetBuffer.SizeWithEventFds(eventFds.Length)];
        VfioIrqSetBuffer.WriteEventFds(buffer, VfioConstants.IrqSetActionTrigger, index, start, eventFds);
        fixed (byte* p = buffer)
        {
            Check(_kernel.Ioctl(Fd, VfioIoctl.DeviceSetIrqs, p), $"VFIO_DEVICE_SET_IRQS (eventfds) index {index} start {start} count {eventFds.Length}");
        }
    }

    /// <summary>Disables every vector of IRQ index <paramref name="index"/> (<c>DATA_NONE | ACTION_TRIGGER</c>, count 0).</summary>
    /// <exception cref="VfioException">The ioctl failed.</exception>
    public void DisableIrqs(uint index) => SetNone(VfioConstants.IrqSetActionTrigger, index, 0, 0, "disable");

    /// <summary>Masks vectors <paramref name="start"/>.. of a maskable IRQ index (<c>DATA_NONE | ACTION_MASK</c>).</summary>
    /// <exception cref="VfioException">The ioctl failed (e.g. EINVAL for an index that is not maskable).</exception>
    public void MaskIrqs(uint index, uint start, uint count) => SetNone(VfioConstants.IrqSetActionMask, index, start, count, "mask");

    /// <summary>Unmasks vectors (<c>DATA_NONE | ACTION_UNMASK</c>), e.g. INTx after handling it.</summary>
    /// <exception cref="VfioException">The ioctl failed.</exception>
    public void UnmaskIrqs(uint index, uint start, uint count) => SetNone(VfioConstants.IrqSetActionUnmask, index, start, count, "unmask");

    private void SetNone(uint action, uint index, uint start, uint count, string what)
    {
        ThrowIfReleased();
        Span<byte> buffer = stackalloc byte[sizeof(VfioIrqSet)];
        VfioIrqSetBuffer.WriteNone(buffer, action, index, start, count);
        fixed (byte* p = buffer)
        {
            Check(_kernel.Ioctl(Fd, VfioIoctl.DeviceSetIrqs, p), $"VFIO_DEVICE_SET_IRQS ({what}) index {index} start {start} count {count}");
        }
    }

    /// <summary><c>VFIO_DEVICE_RESET</c>.</summary>
    /// <exception cref="VfioException">The device cannot be reset (no RESET flag: ENOTTY/EINVAL) or the reset failed.</exception>
    public void Reset()
    {
        ThrowIfReleased();
        Check(_kernel.IoctlValue(Fd, VfioIoctl.DeviceReset, 0), "VFIO_DEVICE_RESET",
            "check VFIO_DEVICE_GET_INFO flags for VFIO_DEVICE_FLAGS_RESET before resetting");
    }

    /// <summary>Resets when the device supports it (<c>VFIO_DEVICE_FLAGS_RESET</c>); returns whether it was reset.</summary>
    public bool TryReset()
    {
        ThrowIfReleased();
        if ((GetInfo().Flags & VfioConstants.DeviceFlagsReset) == 0) return false;
        return _kernel.IoctlValue(Fd, VfioIoctl.DeviceReset, 0) >= 0;
    }

    /// <summary>Reads PCI config space at <paramref name="offset"/> through the config region (index 7).</summary>
    /// <exception cref="VfioException">The read failed or was short.</exception>
    public void ReadConfig(int offset, Span<byte> destination) =>
        ReadAt(ConfigOffset() + (ulong)offset, destination, "config space");

    /// <summary>Writes PCI config space at <paramref name="offset"/> through the config region.</summary>
    /// <exception cref="VfioException">The write failed or was short.</exception>
    public void WriteConfig(int offset, ReadOnlySpan<byte> source) =>
        WriteAt(ConfigOffset() + (ulong)offset, source, "config space");

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> of <paramref name="region"/> (pread on the device fd; trapped areas reach the device).</summary>
    /// <exception cref="VfioException">The read failed, was short, or leaves the region.</exception>
    public void ReadRegion(VfioRegion region, ulong offset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckBounds(region, offset, (ulong)destination.Length);
        ReadAt(region.Offset + offset, destination, "region " + region.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Writes at <paramref name="offset"/> of <paramref name="region"/> (pwrite on the device fd).</summary>
    /// <exception cref="VfioException">The write failed, was short, or leaves the region.</exception>
    public void WriteRegion(VfioRegion region, ulong offset, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckBounds(region, offset, (ulong)source.Length);
        WriteAt(region.Offset + offset, source, "region " + region.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// mmaps <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="region"/> (shared), at
    /// <paramref name="address"/> when non-zero (<c>MAP_FIXED</c>, e.g. inside a reserved range); unmap with
    /// <see cref="UnmapRegion"/>.
    /// </summary>
    /// <exception cref="VfioException">The region is not mmapable, the range leaves it, or mmap failed.</exception>
    public nint MapRegion(VfioRegion region, ulong offset, ulong length, nint address = 0, int protection = MmapConstants.ProtRead | MmapConstants.ProtWrite)
    {
        ArgumentNullException.ThrowIfNull(region);
        ThrowIfReleased();
        if (!region.CanMmap)
            throw VfioException.Create("mmap region " + region.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), Errno.EINVAL, Address,
                detail: "the region has no VFIO_REGION_INFO_FLAG_MMAP", fix: "access it with ReadRegion/WriteRegion");
        CheckBounds(region, offset, length);
        int flags = MmapConstants.MapShared | (address != 0 ? MmapConstants.MapFixed : 0);
        nint r = _kernel.Mmap(address, (nuint)length, protection, flags, Fd, (long)(region.Offset + offset));
        if (KernelResult.IsMmapError(r))
            throw VfioException.Create($"mmap region {region.Index} offset 0x{offset:x} length 0x{length:x}", (int)-r, Address,
                fix: "map only the areas VFIO_REGION_INFO_CAP_SPARSE_MMAP lists, page aligned");
        return r;
    }

    /// <summary>munmap of a <see cref="MapRegion"/> result.</summary>
    /// <exception cref="VfioException">munmap failed.</exception>
    public void UnmapRegion(nint address, ulong length)
    {
        int r = _kernel.Munmap(address, (nuint)length);
        if (r < 0) throw VfioException.Create($"munmap 0x{address:x} length 0x{length:x}", -r, Address);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Address} ({Mode.ToOptionValue()}, fd {Fd})";

    private ulong ConfigOffset()
    {
        _configOffset ??= GetRegionInfo(VfioConstants.PciConfigRegionIndex).Offset;
        return _configOffset.Value;
    }

    private void CheckBounds(VfioRegion region, ulong offset, ulong length)
    {
        if (offset > region.Size || length > region.Size - offset)
            throw VfioException.Create($"access to region {region.Index} at 0x{offset:x} length 0x{length:x}", Errno.EINVAL, Address,
                detail: $"the region has 0x{region.Size:x} bytes", fix: "stay inside the region");
    }

    private void ReadAt(ulong fileOffset, Span<byte> destination, string what)
    {
        ThrowIfReleased();
        fixed (byte* p = destination)
        {
            nint r = _kernel.PRead(Fd, p, (nuint)destination.Length, (long)fileOffset);
            if (r != destination.Length)
                throw VfioException.Create($"pread {what} at 0x{fileOffset:x} ({destination.Length} bytes)", r < 0 ? (int)-r : Errno.EIO, Address,
                    detail: r < 0 ? null : $"short read of {r} bytes");
        }
    }

    private void WriteAt(ulong fileOffset, ReadOnlySpan<byte> source, string what)
    {
        ThrowIfReleased();
        fixed (byte* p = source)
        {
            nint r = _kernel.PWrite(Fd, p, (nuint)source.Length, (long)fileOffset);
            if (r != source.Length)
                throw VfioException.Create($"pwrite {what} at 0x{fileOffset:x} ({source.Length} bytes)", r < 0 ? (int)-r : Errno.EIO, Address,
                    detail: r < 0 ? null : $"short write of {r} bytes");
        }
    }

    private void Check(int result, string operation, string? fix = null)
    {
        if (result < 0) throw VfioException.Create(operation, -result, Address, Group, fix: fix);
    }

    private void ThrowIfReleased([CallerMemberName] string? caller = null)
    {
        if (IsReleased)
            throw new VfioException($"{caller} on {Address}: the device was released; set it up again with VfioManager.SetupDevice");
    }
}

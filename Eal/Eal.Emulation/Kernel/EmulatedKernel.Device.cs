using Eal.Emulation.Devices;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Emulation.Kernel;

public sealed unsafe partial class EmulatedKernel
{
    /// <summary>vfio-pci's region offset convention: the region index in the top bits of the file offset.</summary>
    public const int RegionIndexShift = 40;

    private const ulong RegionOffsetMask = (1UL << RegionIndexShift) - 1;

    private int DeviceIoctl(DeviceFile d, ulong request, nint arg, out Action? after)
    {
        after = null;
        if (request == VfioIoctl.DeviceBindIommufd) return Bind(d, arg, out after);
        // Until a cdev is bound to an iommufd, it grants nothing (vfio_device_fops_unl_ioctl).
        if (!d.AccessGranted) return -Errno.EINVAL;
        if (d.IsCdev)
        {
            if (request == VfioIoctl.DeviceAttachIommufdPt) return Attach(d, arg);
            if (request == VfioIoctl.DeviceDetachIommufdPt) return Detach(d, arg);
        }
        var f = d.Function;
        switch (request)
        {
            case VfioIoctl.DeviceGetInfo: return DeviceGetInfo(f, arg);
            case VfioIoctl.DeviceGetRegionInfo: return DeviceGetRegionInfo(f, arg);
            case VfioIoctl.DeviceGetIrqInfo: return DeviceGetIrqInfo(f, arg);
            case VfioIoctl.DeviceSetIrqs: return DeviceSetIrqs(f, arg, out after);
            case VfioIoctl.DeviceFeature: return DeviceFeature(f, arg);
            case VfioIoctl.DeviceReset:
                if (!f.Model.CanReset) return -Errno.EINVAL;
                after = f.Model.Reset;
                return 0;
            default:
                return -Errno.ENOTTY;
        }
    }

    private static int DeviceGetInfo(FunctionState f, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 16;
        var info = CopyIn<VfioDeviceInfo>(arg, minsz);
        if (info.Argsz < minsz) return -Errno.EINVAL;
        info.Flags = VfioConstants.DeviceFlagsPci | (f.Model.CanReset ? VfioConstants.DeviceFlagsReset : 0);
        info.NumRegions = VfioConstants.PciNumRegions;
        info.NumIrqs = VfioConstants.PciNumIrqs;
        info.CapOffset = 0;
        CopyOut(arg, info, info.Argsz >= 20 ? 20u : minsz);
        return 0;
    }

    /// <summary>What a region looks like: size, flags, mmapable areas, whether the MSI-X table may be mmapped.</summary>
    private readonly record struct RegionShape(ulong Size, uint Flags, IReadOnlyList<(ulong Offset, ulong Size)> Areas, bool MsixMappable, BarLayout? Bar);

    private static BarLayout? FindBar(FunctionState f, int index)
    {
        foreach (var b in f.Model.Bars)
            if (b.Index == index && b.Size != 0) return b;
        return null;
    }

    /// <summary>The MSI-X table of the function as [offset, end) in its BAR, or null.</summary>
    private static (int Bar, ulong Start, ulong End)? MsixTable(FunctionState f)
    {
        var d = f.Description;
        if (d.MsixVectors <= 0) return null;
        return (d.MsixTableBar, d.MsixTableOffset, d.MsixTableOffset + (ulong)d.MsixVectors * 16);
    }

    private static RegionShape? Region(FunctionState f, uint index)
    {
        const uint rw = VfioConstants.RegionInfoFlagRead | VfioConstants.RegionInfoFlagWrite;
        switch (index)
        {
            case <= VfioConstants.PciBar5RegionIndex:
            {
                var bar = FindBar(f, (int)index);
                if (bar is null) return new RegionShape(0, 0, [], false, null);
                var areas = bar.IsIo ? [] : bar.MmapAreas;
                bool msixMappable = false;
                if (MsixTable(f) is { } t && t.Bar == bar.Index)
                    msixMappable = areas.Any(a => a.Offset <= t.Start && a.Offset + a.Size >= t.End);
                uint flags = rw | (areas.Count > 0 ? VfioConstants.RegionInfoFlagMmap : 0);
                return new RegionShape(bar.Size, flags, areas, msixMappable, bar);
            }
            case VfioConstants.PciRomRegionIndex:
            {
                ulong size = f.Model.ExpansionRomSize;
                return new RegionShape(size, size == 0 ? 0 : VfioConstants.RegionInfoFlagRead, [], false, null);
            }
            case VfioConstants.PciConfigRegionIndex:
                return new RegionShape((ulong)f.Model.ConfigSpaceSize, rw, [], false, null);
            default:
                return null; // VGA (no VGA function) and anything past the PCI regions
        }
    }

    private static int DeviceGetRegionInfo(FunctionState f, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 32;
        var info = CopyIn<VfioRegionInfo>(arg, minsz);
        if (info.Argsz < minsz) return -Errno.EINVAL;
        if (Region(f, info.Index) is not { } region) return -Errno.EINVAL;
        info.Offset = (ulong)info.Index << RegionIndexShift;
        info.Size = region.Size;
        info.Flags = region.Flags;
        info.CapOffset = 0;
        // Sparse areas only when the mmapable part is not simply the whole region.
        bool sparse = region.Areas.Count > 0 && !(region.Areas.Count == 1 && region.Areas[0].Offset == 0 && region.Areas[0].Size == region.Size);
        uint sparseSize = sparse ? (uint)(sizeof(VfioRegionInfoCapSparseMmap) + region.Areas.Count * sizeof(VfioRegionSparseMmapArea)) : 0;
        uint msixSize = region.MsixMappable ? (uint)sizeof(VfioInfoCapHeader) : 0;
        uint caps = sparseSize + msixSize;
        if (caps > 0)
        {
            info.Flags |= VfioConstants.RegionInfoFlagCaps;
            if (info.Argsz < minsz + caps)
            {
                info.Argsz = minsz + caps;
            }
            else
            {
                byte* p = (byte*)arg;
                uint at = minsz;
                if (sparse)
                {
                    *(VfioRegionInfoCapSparseMmap*)(p + at) = new VfioRegionInfoCapSparseMmap
                    {
                        Header = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapSparseMmap, Version = 1, Next = msixSize > 0 ? at + sparseSize : 0 },
                        NrAreas = (uint)region.Areas.Count,
                    };
                    var a = (VfioRegionSparseMmapArea*)(p + at + sizeof(VfioRegionInfoCapSparseMmap));
                    for (int i = 0; i < region.Areas.Count; i++)
                        a[i] = new VfioRegionSparseMmapArea { Offset = region.Areas[i].Offset, Size = region.Areas[i].Size };
                    at += sparseSize;
                }
                if (msixSize > 0)
                    *(VfioInfoCapHeader*)(p + at) = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapMsixMappable, Version = 1, Next = 0 };
                info.CapOffset = minsz;
            }
        }
        CopyOut(arg, info, minsz);
        return 0;
    }

    private static int IrqCount(FunctionState f, uint index) =>
        index < VfioConstants.PciNumIrqs ? Math.Max(0, f.Model.IrqCount((int)index)) : 0;

    private static int DeviceGetIrqInfo(FunctionState f, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 16;
        var info = CopyIn<VfioIrqInfo>(arg, minsz);
        if (info.Argsz < minsz || info.Index >= VfioConstants.PciNumIrqs) return -Errno.EINVAL;
        int count = IrqCount(f, info.Index);
        // The error IRQ exists only on PCI Express functions.
        if (info.Index == VfioConstants.PciErrIrqIndex && count == 0) return -Errno.EINVAL;
        info.Count = (uint)count;
        info.Flags = VfioConstants.IrqInfoEventfd;
        if (info.Index == VfioConstants.PciIntxIrqIndex) info.Flags |= VfioConstants.IrqInfoMaskable | VfioConstants.IrqInfoAutomasked;
        else if (info.Index != VfioConstants.PciMsixIrqIndex || count == 0) info.Flags |= VfioConstants.IrqInfoNoresize;
        CopyOut(arg, info, minsz);
        return 0;
    }

    private int DeviceSetIrqs(FunctionState f, nint arg, out Action? after)
    {
        after = null;
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 20;
        var hdr = CopyIn<VfioIrqSet>(arg, minsz);
        const uint known = VfioConstants.IrqSetDataTypeMask | VfioConstants.IrqSetActionTypeMask;
        if (hdr.Argsz < minsz || hdr.Index >= VfioConstants.PciNumIrqs || hdr.Count >= uint.MaxValue - hdr.Start || (hdr.Flags & ~known) != 0)
            return -Errno.EINVAL;
        uint elementSize;
        switch (hdr.Flags & VfioConstants.IrqSetDataTypeMask)
        {
            case VfioConstants.IrqSetDataNone: elementSize = 0; break;
            case VfioConstants.IrqSetDataBool: elementSize = 1; break;
            case VfioConstants.IrqSetDataEventfd: elementSize = 4; break;
            default: return -Errno.EINVAL;
        }
        int num = IrqCount(f, hdr.Index);
        if (hdr.Start >= num || hdr.Start + hdr.Count > num) return -Errno.EINVAL;
        if (elementSize > 0 && hdr.Argsz - minsz < (ulong)hdr.Count * elementSize) return -Errno.EINVAL;
        byte* data = (byte*)arg + minsz;
        uint action = hdr.Flags & VfioConstants.IrqSetActionTypeMask;
        bool trigger = action == VfioConstants.IrqSetActionTrigger;
        switch (hdr.Index)
        {
            case VfioConstants.PciIntxIrqIndex:
                if (action == VfioConstants.IrqSetActionMask) return IntxMask(f, hdr, data, mask: true);
                if (action == VfioConstants.IrqSetActionUnmask) return IntxMask(f, hdr, data, mask: false);
                if (trigger) return SetTrigger(f, hdr, data, out after);
                return -Errno.ENOTTY;
            case VfioConstants.PciMsiIrqIndex:
            case VfioConstants.PciMsixIrqIndex:
            case VfioConstants.PciErrIrqIndex:
            case VfioConstants.PciReqIrqIndex:
                // vfio-pci cannot mask MSI/MSI-X vectors (no masking support exported), nor the error/request IRQs.
                return trigger ? SetTrigger(f, hdr, data, out after) : -Errno.ENOTTY;
            default:
                return -Errno.EINVAL;
        }
    }

    private int IntxMask(FunctionState f, VfioIrqSet hdr, byte* data, bool mask)
    {
        if (f.IrqType != (int)VfioConstants.PciIntxIrqIndex) return mask ? -Errno.EINVAL : 0;
        bool apply = (hdr.Flags & VfioConstants.IrqSetDataBool) != 0 ? hdr.Count > 0 && data[0] != 0 : true;
        if ((hdr.Flags & VfioConstants.IrqSetDataEventfd) != 0) return -Errno.ENOTTY; // unmask-by-eventfd (irqfd) not emulated
        if (!apply) return 0;
        if (mask)
        {
            f.IntxMasked = true;
            return 0;
        }
        f.IntxMasked = false;
        if (f.IntxPending)
        {
            f.IntxPending = false;
            f.IntxMasked = true; // automasked again
            Signal(f.Irqs[0].Triggers.FirstOrDefault(-1));
        }
        return 0;
    }

    private int SetTrigger(FunctionState f, VfioIrqSet hdr, byte* data, out Action? after)
    {
        after = null;
        int index = (int)hdr.Index;
        bool none = (hdr.Flags & VfioConstants.IrqSetDataNone) != 0;
        bool isEventfd = (hdr.Flags & VfioConstants.IrqSetDataEventfd) != 0;
        bool shared = index <= (int)VfioConstants.PciMsixIrqIndex; // INTx, MSI, MSI-X: one of them at a time
        var state = f.Irqs[index];
        bool enabled = shared ? f.IrqType == index : state.Triggers.Length > 0;
        if (enabled && hdr.Count == 0 && none)
        {
            ReleaseTriggers(state);
            if (shared) f.IrqType = -1;
            f.IntxMasked = f.IntxPending = false;
            after = MessageEnable(f, index, 0);
            return 0;
        }
        if (shared && !(enabled || f.IrqType == -1)) return -Errno.EINVAL;
        if (isEventfd)
        {
            var fds = (int*)data;
            // Validate every fd first so a bad one changes nothing.
            for (int i = 0; i < hdr.Count; i++)
            {
                if (fds[i] == -1) continue;
                int check = KernelNative.CheckEventFd(fds[i]);
                if (check != 0) return check;
            }
            if (!enabled)
            {
                state.Triggers = new int[Math.Max(1, IrqCount(f, hdr.Index))];
                Array.Fill(state.Triggers, -1);
                if (shared) f.IrqType = index;
                // Linux allocates start + count vectors (vfio_msi_enable) and the PCI core turns the capability on.
                after = MessageEnable(f, index, (int)(hdr.Start + hdr.Count));
            }
            for (int i = 0; i < hdr.Count; i++)
            {
                ref int slot = ref state.Triggers[hdr.Start + i];
                if (slot >= 0)
                {
                    _ = LibC.Close(slot);
                    _heldEventFds--;
                    slot = -1;
                }
                if (fds[i] == -1) continue;
                int dup = KernelNative.Dup(fds[i]); // our own reference, like eventfd_ctx_fdget
                if (dup < 0) return KernelNative.LastError;
                slot = dup;
                _heldEventFds++;
            }
            return 0;
        }
        if (!enabled) return -Errno.EINVAL;
        // DATA_NONE / DATA_BOOL trigger: fire the selected vectors from userspace (loopback test).
        for (int i = 0; i < hdr.Count; i++)
        {
            if ((hdr.Flags & VfioConstants.IrqSetDataBool) != 0 && data[i] == 0) continue;
            Signal(state.Triggers[hdr.Start + i]);
        }
        return 0;
    }

    private void ReleaseTriggers(IrqIndexState state)
    {
        foreach (int fd in state.Triggers)
        {
            if (fd < 0) continue;
            _ = LibC.Close(fd);
            _heldEventFds--;
        }
        state.Triggers = [];
    }

    private void DisableAllIrqs(FunctionState f)
    {
        foreach (var s in f.Irqs) ReleaseTriggers(s);
        f.IrqType = -1;
        f.IntxMasked = f.IntxPending = false;
    }

    private static void Signal(int eventFd)
    {
        if (eventFd < 0) return;
        ulong one = 1;
        _ = LibC.Write(eventFd, &one, 8);
    }

    private int DeviceFeature(FunctionState f, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 8;
        var feature = CopyIn<VfioDeviceFeature>(arg, minsz);
        const uint known = VfioConstants.DeviceFeatureMask | VfioConstants.DeviceFeatureGet | VfioConstants.DeviceFeatureSet | VfioConstants.DeviceFeatureProbe;
        if (feature.Argsz < minsz || (feature.Flags & ~known) != 0) return -Errno.EINVAL;
        bool get = (feature.Flags & VfioConstants.DeviceFeatureGet) != 0, set = (feature.Flags & VfioConstants.DeviceFeatureSet) != 0;
        if (get && set) return -Errno.EINVAL;
        if ((feature.Flags & VfioConstants.DeviceFeatureMask) != VfioConstants.DeviceFeaturePciVfToken) return -Errno.ENOTTY;
        // PCI_VF_TOKEN: SET only, on a PF with SR-IOV.
        if (f.Description.Sriov is null) return -Errno.ENOTTY;
        if (get) return -Errno.EINVAL;
        if ((feature.Flags & VfioConstants.DeviceFeatureProbe) != 0) return 0;
        if (!set) return -Errno.EINVAL;
        if (feature.Argsz < minsz + 16) return -Errno.EINVAL;
        f.VfToken = UuidFromBytes(new ReadOnlySpan<byte>((byte*)arg + minsz, 16));
        return 0;
    }

    // ---- regions: pread/pwrite/mmap ----------------------------------------------------------------------

    private nint RegionAccess(int fd, byte* buffer, nuint count, long offset, bool write)
    {
        FunctionState f;
        RegionShape region;
        uint index = (uint)((ulong)offset >> RegionIndexShift);
        ulong pos = (ulong)offset & RegionOffsetMask;
        lock (_lock)
        {
            if (!_files.TryGetValue(fd, out var file)) return -Errno.EBADF;
            if (file is not DeviceFile d) return -Errno.EINVAL;
            if (!d.AccessGranted) return -Errno.EINVAL;
            f = d.Function;
            if (Region(f, index) is not { } r || r.Size == 0) return -Errno.EINVAL;
            region = r;
        }
        // The model is called without the kernel lock (it may DMA through us from another thread).
        if (index == VfioConstants.PciConfigRegionIndex)
        {
            if (pos >= region.Size || pos + count > region.Size) return -Errno.EFAULT;
            var span = new Span<byte>(buffer, (int)count);
            if (write) WriteConfigAsUser(f, (int)pos, span);
            else ReadConfigAsUser(f, (int)pos, span);
            return (nint)count;
        }
        if (pos >= region.Size) return -Errno.EINVAL;
        ulong n = Math.Min(count, region.Size - pos);
        if (index == VfioConstants.PciRomRegionIndex)
        {
            // vfio-pci maps the ROM for reading only (vfio_pci_bar_rw refuses writes).
            if (write) return -Errno.EINVAL;
            f.Model.ReadRom(pos, new Span<byte>(buffer, (int)n));
            return (nint)n;
        }
        var bar = region.Bar!;
        var msix = MsixTable(f) is { } t && t.Bar == bar.Index ? t : ((int, ulong, ulong)?)null;
        var memory = f.Model.GetBarMemory(bar.Index);
        ulong done = 0;
        while (done < n)
        {
            ulong at = pos + done;
            // Natural-size accesses, as vfio_pci_core_do_io_rw does (8/4/2/1 bytes).
            ulong size = 8;
            while (size > 1 && ((at & (size - 1)) != 0 || size > n - done)) size >>= 1;
            var chunk = new Span<byte>(buffer + done, (int)size);
            if (msix is { } table && at >= table.Item2 && at < table.Item3)
            {
                // The MSI-X table is the kernel's: reads return all ones, writes are dropped.
                if (!write) chunk.Fill(0xff);
            }
            else if (memory is { } mem && InAreas(region.Areas, at, size))
            {
                var target = new Span<byte>((byte*)mem.Address + at, (int)size);
                if (write) chunk.CopyTo(target);
                else target.CopyTo(chunk);
            }
            else if (write)
            {
                f.Model.WriteBar(bar.Index, at, chunk);
            }
            else
            {
                f.Model.ReadBar(bar.Index, at, chunk);
            }
            done += size;
        }
        return (nint)n;
    }

    private static bool InAreas(IReadOnlyList<(ulong Offset, ulong Size)> areas, ulong at, ulong size)
    {
        foreach (var (o, s) in areas)
            if (at >= o && at + size <= o + s) return true;
        return false;
    }

    private nint MmapDevice(nint address, nuint length, int protection, int flags, int fd, long offset)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fd, out var file)) return -Errno.EBADF;
            if (file is not DeviceFile d || !d.AccessGranted) return -Errno.ENODEV;
            uint index = (uint)((ulong)offset >> RegionIndexShift);
            ulong pos = (ulong)offset & RegionOffsetMask;
            if (index > VfioConstants.PciBar5RegionIndex) return -Errno.EINVAL;
            var f = d.Function;
            if (Region(f, index) is not { } region || (region.Flags & VfioConstants.RegionInfoFlagMmap) == 0) return -Errno.EINVAL;
            if ((flags & KernelNative.MapShared) == 0 || length == 0 || (pos & (PageSize - 1)) != 0) return -Errno.EINVAL;
            ulong len = ((ulong)length + PageSize - 1) & ~(PageSize - 1);
            if (pos + len > region.Size || !InAreas(region.Areas, pos, len)) return -Errno.EINVAL;
            if (f.Model.GetBarMemory((int)index) is not { } memory) return -Errno.EINVAL;
            nint at = KernelNative.Mmap(address, length, protection, flags, memory.MemFd, (long)pos);
            if (at == -1) return KernelNative.LastError;
            _deviceMappings[at] = length;
            return at;
        }
    }

    // ---- DMA ---------------------------------------------------------------------------------------------

    private void UpdateDmaOfGroup(GroupObject g)
    {
        foreach (var desc in FunctionsOfGroup(g.Number))
            if (_functions.TryGetValue(desc.Address, out var f)) UpdateDma(f);
            else if (desc.Driver == "vfio-pci" && g.Container?.Driver is ContainerDriver.Type1 or ContainerDriver.NoIommu)
                UpdateDma(GetFunction(desc)); // the device is attached even before userspace opens it
    }

    /// <summary>Points the model's DMA port at its current domain (or detaches it).</summary>
    private void UpdateDma(FunctionState f)
    {
        var (_, _, attached) = ResolveDomain(f);
        f.Model.Dma = attached ? f.Port : null;
    }

    /// <summary>Under the lock: the domain a function's DMA goes through, or no-IOMMU, or nothing.</summary>
    private (IommuDomain? Domain, bool NoIommu, bool Attached) ResolveDomain(FunctionState f)
    {
        if (f.CdevOwner?.Hwpt is { } hwpt) return (hwpt.Ioas.Domain, false, true);
        if (f.Description.IommuGroup is int n && _groups.TryGetValue(n, out var g) && g.Container is { } c)
        {
            if (c.Driver == ContainerDriver.Type1) return (c.Domain, false, true);
            if (c.Driver == ContainerDriver.NoIommu) return (null, true, true);
        }
        return (null, false, false);
    }

    /// <summary>
    /// Device DMA: validates the whole access against the domain first (a fault touches nothing), then copies.
    /// The kernel lock is held for the copy so an unmap cannot race an access in flight.
    /// </summary>
    internal bool Dma(FunctionState f, ulong iova, byte* buffer, ulong length, bool write)
    {
        if (length == 0) return true;
        lock (_lock)
        {
            var (domain, noIommu, attached) = ResolveDomain(f);
            if (!attached)
            {
                RecordFault(f, iova, length, write, "device is not attached to an IOMMU domain (DMA blocked)");
                return false;
            }
            if (iova + (length - 1) < iova)
            {
                RecordFault(f, iova, length, write, "access wraps past the end of the IOVA space");
                return false;
            }
            if (noIommu) return PhysicalDma(f, iova, buffer, length, write);
            var tree = domain!.Tree;
            // Pass 1: every byte must be mapped with the right permission.
            ulong at = iova, end = iova + (length - 1);
            while (true)
            {
                var m = tree.Find(at);
                if (m is null)
                {
                    RecordFault(f, at, length, write, "IOVA not mapped");
                    return false;
                }
                if (write ? !m.Writable : !m.Readable)
                {
                    RecordFault(f, at, length, write, write ? "write to a read-only mapping" : "read from a write-only mapping");
                    return false;
                }
                if (m.Last >= end) break;
                at = m.Last + 1;
            }
            // Pass 2: copy.
            at = iova;
            ulong done = 0;
            while (done < length)
            {
                var m = tree.Find(at)!;
                ulong n = Math.Min(length - done, m.Last - at + 1);
                byte* memory = (byte*)(m.VirtualAddress + (at - m.Iova));
                if (write) Buffer.MemoryCopy(buffer + done, memory, n, n);
                else Buffer.MemoryCopy(memory, buffer + done, n, n);
                done += n;
                at += n;
            }
            return true;
        }
    }

    private bool PhysicalDma(FunctionState f, ulong pa, byte* buffer, ulong length, bool write)
    {
        var map = PhysicalMemory;
        ulong done = 0;
        while (done < length)
        {
            if (map is null || !map.TryGetVirtual(pa + done, out _, out ulong contiguous) || contiguous == 0)
            {
                RecordFault(f, pa + done, length, write, map is null
                    ? "no-IOMMU DMA but the kernel has no physical memory map (set EmulatedKernel.PhysicalMemory)"
                    : "no memory at this physical address");
                return false;
            }
            done += Math.Min(contiguous, length - done);
        }
        done = 0;
        while (done < length)
        {
            map!.TryGetVirtual(pa + done, out nint va, out ulong contiguous);
            ulong n = Math.Min(contiguous, length - done);
            if (write) Buffer.MemoryCopy(buffer + done, (void*)va, n, n);
            else Buffer.MemoryCopy((void*)va, buffer + done, n, n);
            done += n;
        }
        return true;
    }

    /// <summary>A model raised vector <paramref name="vector"/> of IRQ index <paramref name="irqIndex"/>.</summary>
    internal void RaiseInterrupt(FunctionState f, int irqIndex, int vector)
    {
        int fd;
        lock (_lock)
        {
            if (irqIndex is < 0 or >= 5) return;
            bool shared = irqIndex <= (int)VfioConstants.PciMsixIrqIndex;
            if (shared && f.IrqType != irqIndex) return; // not enabled: the interrupt is lost, as on hardware
            var triggers = f.Irqs[irqIndex].Triggers;
            if ((uint)vector >= (uint)triggers.Length) return;
            if (irqIndex == (int)VfioConstants.PciIntxIrqIndex)
            {
                if (f.IntxMasked)
                {
                    f.IntxPending = true;
                    return;
                }
                f.IntxMasked = true; // INTx is automasked until userspace unmasks it
            }
            fd = triggers[vector];
            if (fd < 0) return;
            // Write under the lock so a concurrent SET_IRQS cannot close the fd in between.
            Signal(fd);
        }
    }
}

/// <summary>The IOMMU view one device model DMAs through.</summary>
internal sealed unsafe class DevicePort(EmulatedKernel kernel, FunctionState function) : IDmaPort
{
    public bool TryRead(ulong iova, Span<byte> destination)
    {
        fixed (byte* p = destination) return kernel.Dma(function, iova, p, (ulong)destination.Length, write: false);
    }

    public bool TryWrite(ulong iova, ReadOnlySpan<byte> source)
    {
        fixed (byte* p = source) return kernel.Dma(function, iova, p, (ulong)source.Length, write: true);
    }
}

/// <summary>Where one device model raises interrupts.</summary>
internal sealed class InterruptSink(EmulatedKernel kernel, FunctionState function) : IInterruptSink
{
    public void Raise(int irqIndex, int vector) => kernel.RaiseInterrupt(function, irqIndex, vector);
}

using System.Text;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Emulation.Kernel;

public sealed unsafe partial class EmulatedKernel
{
    private bool Type1Loaded => _platform.Machine.LoadedModules.Contains("vfio_iommu_type1");

    // ---- container ---------------------------------------------------------------------------------------

    private int ContainerIoctl(ContainerFile c, ulong request, nint arg)
    {
        switch (request)
        {
            case VfioIoctl.GetApiVersion:
                return VfioConstants.ApiVersion;
            case VfioIoctl.CheckExtension:
                return CheckExtension(c, (ulong)arg);
            case VfioIoctl.SetIommu:
                return SetIommu(c, (ulong)arg);
        }
        // Everything else goes to the IOMMU driver; without one, vfio_fops_unl_ioctl answers EINVAL.
        return c.Driver switch
        {
            ContainerDriver.Type1 => Type1Ioctl(c, request, arg),
            ContainerDriver.NoIommu => -Errno.ENOTTY,
            _ => -Errno.EINVAL,
        };
    }

    private static int Type1Extension(ulong ext) =>
        ext is VfioConstants.Type1Iommu or VfioConstants.Type1v2Iommu or VfioConstants.UnmapAll ? 1 : 0;

    private int NoIommuExtension(ulong ext) =>
        _platform.Machine.NoIommuModeEnabled && ext == VfioConstants.NoiommuIommu ? 1 : 0;

    private int CheckExtension(ContainerFile c, ulong ext)
    {
        if (c.Driver == ContainerDriver.Type1) return Type1Extension(ext);
        if (c.Driver == ContainerDriver.NoIommu) return NoIommuExtension(ext);
        // No driver yet: ask every registered driver the container's groups allow.
        bool? noIommuGroups = c.Groups.Count > 0 ? c.Groups[0].NoIommu : null;
        if (Type1Loaded && noIommuGroups != true && Type1Extension(ext) > 0) return 1;
        if (noIommuGroups != false && NoIommuExtension(ext) > 0) return 1;
        return 0;
    }

    private int SetIommu(ContainerFile c, ulong type)
    {
        if (c.Groups.Count == 0 || c.Driver != ContainerDriver.None) return -Errno.EINVAL;
        bool noIommuGroups = c.Groups[0].NoIommu;
        if (!noIommuGroups && Type1Loaded && type is VfioConstants.Type1Iommu or VfioConstants.Type1v2Iommu)
        {
            c.Driver = ContainerDriver.Type1;
            c.V2 = type == VfioConstants.Type1v2Iommu;
            c.Domain = NewDomain();
            c.Domain.Restricted = true;
        }
        else if (noIommuGroups && NoIommuExtension(type) > 0)
        {
            c.Driver = ContainerDriver.NoIommu;
        }
        else
        {
            return -Errno.ENODEV;
        }
        foreach (var g in c.Groups) UpdateDmaOfGroup(g);
        return 0;
    }

    // ---- group -------------------------------------------------------------------------------------------

    private IEnumerable<PciFunctionDescription> FunctionsOfGroup(int number) =>
        _platform.Machine.PciFunctions.Where(f => f.IommuGroup == number).ToArray();

    /// <summary>Viable: every function of the group is bound to vfio-pci or to nothing (no kernel driver owns its DMA).</summary>
    private bool IsViable(GroupObject g) => FunctionsOfGroup(g.Number).All(f => f.Driver is null or "vfio-pci");

    private int GroupIoctl(GroupFile gf, ulong request, nint arg, out Action? after)
    {
        after = null;
        var g = gf.Group;
        switch (request)
        {
            case VfioIoctl.GroupGetStatus:
            {
                if (arg == 0) return -Errno.EFAULT;
                var st = CopyIn<VfioGroupStatus>(arg, 8);
                if (st.Argsz < 8) return -Errno.EINVAL;
                st.Flags = g.Container is not null
                    ? VfioConstants.GroupFlagsContainerSet | VfioConstants.GroupFlagsViable
                    : IsViable(g) ? VfioConstants.GroupFlagsViable : 0;
                CopyOut(arg, st, 8);
                return 0;
            }
            case VfioIoctl.GroupSetContainer:
                return SetContainer(g, arg);
            case VfioIoctl.GroupUnsetContainer:
                if (g.Container is null) return -Errno.EINVAL;
                if (gf.DeviceFiles > 0) return -Errno.EBUSY;
                DetachGroup(g);
                return 0;
            case VfioIoctl.GroupGetDeviceFd:
                return GetDeviceFd(gf, arg, out after);
            default:
                return -Errno.ENOTTY;
        }
    }

    private int SetContainer(GroupObject g, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        int fd = *(int*)arg;
        if (!_files.TryGetValue(fd, out var file))
            return IsEmulatedFd(fd) || !IsOpenRealFd(fd) ? -Errno.EBADF : -Errno.EBADFD;
        if (file is not ContainerFile c) return -Errno.EBADFD;
        if (g.Container is not null) return -Errno.EINVAL;
        // A no-IOMMU container only takes no-IOMMU groups and the other way round.
        if (c.Groups.Count > 0 && c.Groups[0].NoIommu != g.NoIommu) return -Errno.EPERM;
        if (c.Driver == ContainerDriver.Type1 && g.NoIommu) return -Errno.EPERM;
        if (c.Driver == ContainerDriver.NoIommu && !g.NoIommu) return -Errno.EPERM;
        // iommu_group_claim_dma_owner fails while a kernel driver owns DMA for a device of the group.
        if (!g.NoIommu && !IsViable(g)) return -Errno.EPERM;
        c.Groups.Add(g);
        g.Container = c;
        UpdateDmaOfGroup(g);
        return 0;
    }

    private static bool IsOpenRealFd(int fd)
    {
        try
        {
            return new FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void DetachGroup(GroupObject g)
    {
        var c = g.Container!;
        c.Groups.Remove(g);
        g.Container = null;
        if (c.Groups.Count == 0)
        {
            // The last group takes the IOMMU driver (and every mapping) with it.
            if (c.Domain is { } domain) DropDomain(domain);
            c.Domain = null;
            c.Driver = ContainerDriver.None;
            if (!c.FdOpen) _liveObjects.Remove(c);
        }
        UpdateDmaOfGroup(g);
    }

    private int GetDeviceFd(GroupFile gf, nint arg, out Action? after)
    {
        after = null;
        var g = gf.Group;
        if (arg == 0) return -Errno.EFAULT;
        if (g.Container is null || g.Container.Driver == ContainerDriver.None) return -Errno.EINVAL;
        string text = ReadCString(arg, 4096);
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        string name = space < 0 ? text : text[..space];
        string options = space < 0 ? string.Empty : text[(space + 1)..].Trim(' ');
        var desc = FunctionsOfGroup(g.Number).FirstOrDefault(f => f.Address == name && f.Driver == "vfio-pci");
        if (desc is null) return -Errno.ENODEV;
        Guid? token = null;
        if (options.Length > 0)
        {
            if (!options.StartsWith("vf_token=", StringComparison.Ordinal)
                || !Guid.TryParseExact(options["vf_token=".Length..], "D", out var parsed)) return -Errno.EINVAL;
            token = parsed;
        }
        int tokenCheck = CheckVfToken(desc, token);
        if (tokenCheck != 0) return tokenCheck;
        var f = GetFunction(desc);
        var file = new DeviceFile(f, gf) { AccessGranted = true };
        if (f.GroupOpens == 0) after = EnableDecoding(f);
        f.GroupOpens++;
        gf.DeviceFiles++;
        f.Model.Interrupts = f.Sink;
        return AddFile(file);
    }

    /// <summary>vfio-pci's VF token rules (vfio_pci_validate_vf_token).</summary>
    private int CheckVfToken(PciFunctionDescription desc, Guid? token)
    {
        if (desc.PhysicalFunction is { } pfAddress)
        {
            var pf = _platform.Machine.FindPciFunction(pfAddress);
            if (pf?.Driver != "vfio-pci") return token is null ? 0 : -Errno.EINVAL;
            // The PF is owned by a vfio-pci user: its VFs need the token that user set.
            Guid? expected = _functions.TryGetValue(pf.Address, out var pfState) ? pfState.VfToken : null;
            return token is not null && token == expected ? 0 : -Errno.EACCES;
        }
        if (desc.Sriov is not null)
        {
            if (token is null) return 0;
            Guid? expected = _functions.TryGetValue(desc.Address, out var state) ? state.VfToken : null;
            return token == expected ? 0 : -Errno.EACCES;
        }
        return token is null ? 0 : -Errno.EINVAL;
    }

    private static string ReadCString(nint arg, int max)
    {
        var p = (byte*)arg;
        int n = 0;
        while (n < max && p[n] != 0) n++;
        return Encoding.UTF8.GetString(p, n);
    }

    // ---- type1 -------------------------------------------------------------------------------------------

    private int Type1Ioctl(ContainerFile c, ulong request, nint arg)
    {
        switch (request)
        {
            case VfioIoctl.IommuGetInfo: return Type1GetInfo(c, arg);
            case VfioIoctl.IommuMapDma: return Type1Map(c, arg);
            case VfioIoctl.IommuUnmapDma: return Type1Unmap(c, arg);
            default: return -Errno.ENOTTY;
        }
    }

    /// <summary>The IOVA ranges a restricted domain allows: the aperture minus the MSI window.</summary>
    private List<(ulong Start, ulong Last)> AllowedRanges(IommuDomain domain)
    {
        if (!domain.Restricted) return [(0, ulong.MaxValue)];
        ulong last = IommuAddressWidth >= 64 ? ulong.MaxValue : (1UL << IommuAddressWidth) - 1;
        var list = new List<(ulong, ulong)>();
        if (last < MsiWindowStart) return [(0, last)];
        list.Add((0, MsiWindowStart - 1));
        if (last > MsiWindowLast) list.Add((MsiWindowLast + 1, last));
        return list;
    }

    private bool InAllowedRange(IommuDomain domain, ulong first, ulong last)
    {
        if (!domain.Restricted) return true;
        foreach (var (s, l) in AllowedRanges(domain))
            if (first >= s && last <= l) return true;
        return false;
    }

    private int Type1GetInfo(ContainerFile c, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 16, capsz = 24;
        uint argsz = *(uint*)arg;
        if (argsz < minsz) return -Errno.EINVAL;
        var info = CopyIn<VfioIommuType1Info>(arg, argsz);
        info.Flags = VfioConstants.IommuInfoPgsizes;
        info.IovaPgsizes = IommuPageSizes;
        if (argsz < capsz)
        {
            CopyOut(arg, info, minsz);
            return 0;
        }
        // Capabilities in Linux's order: migration, DMA entries available, IOVA ranges.
        var ranges = AllowedRanges(c.Domain!);
        uint migrationSize = (uint)sizeof(VfioIommuType1InfoCapMigration);
        uint availSize = Align8((uint)sizeof(VfioIommuType1InfoDmaAvail));
        uint rangeSize = (uint)(sizeof(VfioIommuType1InfoCapIovaRange) + ranges.Count * sizeof(VfioIovaRange));
        uint total = capsz + migrationSize + availSize + rangeSize;
        info.Flags |= VfioConstants.IommuInfoCaps;
        if (argsz < total)
        {
            info.Argsz = total;
            info.CapOffset = 0;
            CopyOut(arg, info, capsz);
            return 0;
        }
        byte* p = (byte*)arg;
        uint at = capsz;
        var mig = new VfioIommuType1InfoCapMigration
        {
            Header = new VfioInfoCapHeader { Id = VfioConstants.IommuType1InfoCapMigration, Version = 1, Next = at + migrationSize },
            Flags = 0,
            PgsizeBitmap = IommuPageSizes,
            MaxDirtyBitmapSize = 0x10000000,
        };
        *(VfioIommuType1InfoCapMigration*)(p + at) = mig;
        at += migrationSize;
        new Span<byte>(p + at, (int)availSize).Clear();
        *(VfioIommuType1InfoDmaAvail*)(p + at) = new VfioIommuType1InfoDmaAvail
        {
            Header = new VfioInfoCapHeader { Id = VfioConstants.IommuType1InfoDmaAvail, Version = 1, Next = at + availSize },
            Avail = (uint)Math.Max(0, DmaEntryLimit - c.Domain!.Tree.Count),
        };
        at += availSize;
        *(VfioIommuType1InfoCapIovaRange*)(p + at) = new VfioIommuType1InfoCapIovaRange
        {
            Header = new VfioInfoCapHeader { Id = VfioConstants.IommuType1InfoCapIovaRange, Version = 1, Next = 0 },
            NrIovas = (uint)ranges.Count,
        };
        var r = (VfioIovaRange*)(p + at + sizeof(VfioIommuType1InfoCapIovaRange));
        for (int i = 0; i < ranges.Count; i++) r[i] = new VfioIovaRange { Start = ranges[i].Start, End = ranges[i].Last };
        info.CapOffset = capsz;
        CopyOut(arg, info, capsz);
        return 0;
    }

    private static uint Align8(uint n) => (n + 7) & ~7u;

    private int Type1Map(ContainerFile c, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 32;
        var map = CopyIn<VfioIommuType1DmaMap>(arg, minsz);
        const uint known = VfioConstants.DmaMapFlagRead | VfioConstants.DmaMapFlagWrite | VfioConstants.DmaMapFlagVaddr;
        if (map.Argsz < minsz || (map.Flags & ~known) != 0) return -Errno.EINVAL;
        // VFIO_DMA_MAP_FLAG_VADDR (live update) is not emulated: VFIO_UPDATE_VADDR is reported absent.
        if ((map.Flags & VfioConstants.DmaMapFlagVaddr) != 0) return -Errno.EINVAL;
        bool read = (map.Flags & VfioConstants.DmaMapFlagRead) != 0, write = (map.Flags & VfioConstants.DmaMapFlagWrite) != 0;
        const ulong mask = PageSize - 1;
        if (!(read || write) || map.Size == 0 || ((map.Size | map.Iova | map.Vaddr) & mask) != 0) return -Errno.EINVAL;
        ulong last = map.Iova + map.Size - 1;
        if (last < map.Iova || map.Vaddr + map.Size - 1 < map.Vaddr) return -Errno.EINVAL;
        var domain = c.Domain!;
        if (domain.Tree.Intersects(map.Iova, last)) return -Errno.EEXIST;
        if (domain.Tree.Count >= DmaEntryLimit) return -Errno.ENOSPC;
        if (!InAllowedRange(domain, map.Iova, last)) return -Errno.EINVAL;
        if (CheckUserMemory && !KernelNative.IsMapped(map.Vaddr, map.Size)) return -Errno.EFAULT;
        var m = new IovaMapping(map.Iova, last, map.Vaddr, read, write);
        domain.Tree.Insert(m);
        AccountMap(m);
        return 0;
    }

    private int Type1Unmap(ContainerFile c, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 24;
        var unmap = CopyIn<VfioIommuType1DmaUnmap>(arg, minsz);
        const uint known = VfioConstants.DmaUnmapFlagGetDirtyBitmap | VfioConstants.DmaUnmapFlagAll | VfioConstants.DmaUnmapFlagVaddr;
        if (unmap.Argsz < minsz || (unmap.Flags & ~known) != 0) return -Errno.EINVAL;
        // Dirty tracking and VADDR invalidation are not emulated.
        if ((unmap.Flags & (VfioConstants.DmaUnmapFlagGetDirtyBitmap | VfioConstants.DmaUnmapFlagVaddr)) != 0) return -Errno.EINVAL;
        bool all = (unmap.Flags & VfioConstants.DmaUnmapFlagAll) != 0;
        const ulong mask = PageSize - 1;
        var tree = c.Domain!.Tree;
        ulong unmapped = 0;
        if (all)
        {
            if (unmap.Iova != 0 || unmap.Size != 0) return -Errno.EINVAL;
            foreach (var m in tree.ToList())
            {
                unmapped += m.Length;
                AccountUnmap(m);
            }
            tree.Clear();
        }
        else
        {
            if ((unmap.Iova & mask) != 0 || unmap.Size == 0 || (unmap.Size & mask) != 0) return -Errno.EINVAL;
            ulong last = unmap.Iova + unmap.Size - 1;
            if (last < unmap.Iova) return -Errno.EINVAL;
            if (c.V2)
            {
                // type1v2 refuses to split a mapping: the range must start and end on mapping boundaries.
                var first = tree.Find(unmap.Iova);
                if (first is not null && first.Iova != unmap.Iova) return -Errno.EINVAL;
                var end = tree.Find(last);
                if (end is not null && end.Last != last) return -Errno.EINVAL;
            }
            for (var m = tree.FirstIntersecting(unmap.Iova, last); m is not null; m = tree.FirstIntersecting(unmap.Iova, last))
            {
                // type1 v1: a mapping that starts below the range stops the walk (it is not split).
                if (m.Iova < unmap.Iova) break;
                tree.Remove(m.Iova);
                unmapped += m.Length;
                AccountUnmap(m);
            }
        }
        unmap.Size = unmapped;
        CopyOut(arg, unmap, minsz);
        return 0;
    }
}

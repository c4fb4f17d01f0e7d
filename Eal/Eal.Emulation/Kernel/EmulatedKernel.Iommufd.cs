using System.Numerics;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Emulation.Kernel;

public sealed unsafe partial class EmulatedKernel
{
    // ---- /dev/iommu --------------------------------------------------------------------------------------

    private int IommufdIoctl(IommufdFile ctx, ulong request, nint arg)
    {
        // Every IOMMUFD request is _IO(';', nr); anything else is not ours.
        if ((request & ~0xFFUL) != (IommuFdConstants.Type << 8)) return -Errno.ENOTTY;
        uint nr = (uint)(request & 0xFF);
        (uint MinSize, uint Size) op = nr switch
        {
            IommuFdConstants.CmdDestroy => (8, 8),
            IommuFdConstants.CmdIoasAlloc => (12, 12),
            IommuFdConstants.CmdIoasIovaRanges => (32, 32),
            IommuFdConstants.CmdIoasMap => (40, 40),
            IommuFdConstants.CmdIoasUnmap => (24, 24),
            IommuFdConstants.CmdOption => (24, 24),
            _ => (0, 0),
        };
        // Below the command base Linux offers the VFIO type1 compatibility layer; it is not emulated.
        if (op.Size == 0) return -Errno.ENOTTY;
        if (arg == 0) return -Errno.EFAULT;
        uint userSize = *(uint*)arg;
        if (userSize < op.MinSize) return -Errno.EINVAL;
        // copy_struct_from_user: bytes past what the kernel knows must be zero.
        for (uint i = op.Size; i < userSize; i++)
            if (((byte*)arg)[i] != 0) return -Errno.E2BIG;
        uint respond = Math.Min(userSize, op.Size);
        return nr switch
        {
            IommuFdConstants.CmdDestroy => Destroy(ctx, CopyIn<IommuDestroy>(arg, respond)),
            IommuFdConstants.CmdIoasAlloc => IoasAlloc(ctx, arg, respond),
            IommuFdConstants.CmdIoasIovaRanges => IoasIovaRanges(ctx, arg, respond),
            IommuFdConstants.CmdIoasMap => IoasMap(ctx, arg, respond),
            IommuFdConstants.CmdIoasUnmap => IoasUnmap(ctx, arg, respond),
            _ => Option(ctx, arg, respond),
        };
    }

    private static uint NewId(IommufdFile ctx) => ctx.NextId++;

    private int IoasAlloc(IommufdFile ctx, nint arg, uint respond)
    {
        var cmd = CopyIn<IommuIoasAlloc>(arg, respond);
        if (cmd.Flags != 0) return -Errno.EOPNOTSUPP;
        var ioas = new IoasObject(NewId(ctx), NewDomain());
        ctx.Objects.Add(ioas.Id, ioas);
        cmd.OutIoasId = ioas.Id;
        CopyOut(arg, cmd, respond);
        return 0;
    }

    private int Destroy(IommufdFile ctx, IommuDestroy cmd)
    {
        if (!ctx.Objects.TryGetValue(cmd.Id, out var obj)) return -Errno.ENOENT;
        if (obj is IoasObject ioas && ioas.Hwpts == 0)
        {
            ctx.Objects.Remove(cmd.Id);
            DropDomain(ioas.Domain);
            return 0;
        }
        // An IOAS with attached page tables, an attached HWPT and a bound device are all still referenced.
        return -Errno.EBUSY;
    }

    private IoasObject? FindIoas(IommufdFile ctx, uint id) =>
        ctx.Objects.TryGetValue(id, out var o) && o is IoasObject ioas ? ioas : null;

    private int IoasMap(IommufdFile ctx, nint arg, uint respond)
    {
        var cmd = CopyIn<IommuIoasMap>(arg, respond);
        const uint known = IommuFdConstants.IoasMapFixedIova | IommuFdConstants.IoasMapWriteable | IommuFdConstants.IoasMapReadable;
        if ((cmd.Flags & ~known) != 0 || cmd.Reserved != 0) return -Errno.EOPNOTSUPP;
        if (cmd.Iova == ulong.MaxValue || cmd.Length == ulong.MaxValue) return -Errno.EOVERFLOW;
        bool read = (cmd.Flags & IommuFdConstants.IoasMapReadable) != 0, write = (cmd.Flags & IommuFdConstants.IoasMapWriteable) != 0;
        if (!(read || write)) return -Errno.EINVAL;
        var ioas = FindIoas(ctx, cmd.IoasId);
        if (ioas is null) return -Errno.ENOENT;
        const ulong mask = PageSize - 1;
        if (cmd.Length == 0) return -Errno.EINVAL;
        var domain = ioas.Domain;
        ulong iova;
        if ((cmd.Flags & IommuFdConstants.IoasMapFixedIova) != 0)
        {
            iova = cmd.Iova;
            if ((iova & mask) != 0) return -Errno.EINVAL;
            if (iova + (cmd.Length - 1) < iova) return -Errno.EOVERFLOW;
            if (((cmd.Length | cmd.UserVa) & mask) != 0) return -Errno.EINVAL;
            if (!InAllowedRange(domain, iova, iova + cmd.Length - 1)) return -Errno.EINVAL;
            if (domain.Tree.Intersects(iova, iova + cmd.Length - 1)) return -Errno.EEXIST;
        }
        else
        {
            if (((cmd.Length | cmd.UserVa) & mask) != 0) return -Errno.EINVAL;
            ulong? found = AllocateIova(domain, cmd.Length, cmd.UserVa);
            if (found is null) return -Errno.ENOSPC;
            iova = found.Value;
        }
        if (CheckUserMemory && !KernelNative.IsMapped(cmd.UserVa, cmd.Length)) return -Errno.EFAULT;
        var m = new IovaMapping(iova, iova + cmd.Length - 1, cmd.UserVa, read, write);
        domain.Tree.Insert(m);
        AccountMap(m);
        cmd.Iova = iova;
        CopyOut(arg, cmd, respond);
        return 0;
    }

    /// <summary>
    /// A kernel-chosen IOVA: the lowest free, allowed, suitably aligned range (alignment as iopt_alloc_iova:
    /// the smaller of the length rounded up to a power of two and the user address's alignment, at least a page),
    /// never IOVA 0.
    /// </summary>
    private ulong? AllocateIova(IommuDomain domain, ulong length, ulong userVa)
    {
        ulong lengthAlign = BitOperations.RoundUpToPowerOf2(length);
        ulong vaAlign = userVa == 0 ? lengthAlign : 1UL << BitOperations.TrailingZeroCount(userVa);
        ulong align = Math.Max(PageSize, Math.Min(lengthAlign == 0 ? ulong.MaxValue : lengthAlign, vaAlign));
        foreach (var (start, last) in AllowedRanges(domain))
        {
            ulong candidate = Math.Max(start, align);
            candidate = AlignUp(candidate, align);
            while (candidate != 0 && candidate >= start && candidate <= last && last - candidate >= length - 1)
            {
                var hit = domain.Tree.FirstIntersecting(candidate, candidate + length - 1);
                if (hit is null) return candidate;
                if (hit.Last == ulong.MaxValue) break;
                candidate = AlignUp(hit.Last + 1, align);
            }
        }
        return null;
    }

    private static ulong AlignUp(ulong value, ulong align) => value + align - 1 < value ? 0 : (value + align - 1) & ~(align - 1);

    private int IoasUnmap(IommufdFile ctx, nint arg, uint respond)
    {
        var cmd = CopyIn<IommuIoasUnmap>(arg, respond);
        var ioas = FindIoas(ctx, cmd.IoasId);
        if (ioas is null) return -Errno.ENOENT;
        var tree = ioas.Domain.Tree;
        ulong unmapped = 0;
        if (cmd.Iova == 0 && cmd.Length == ulong.MaxValue)
        {
            // Unmap all: succeeds on an empty IOAS too.
            foreach (var m in tree.ToList())
            {
                unmapped += m.Length;
                AccountUnmap(m);
            }
            tree.Clear();
        }
        else
        {
            if (cmd.Length == 0) return -Errno.EINVAL;
            ulong last = cmd.Iova + cmd.Length - 1;
            if (last < cmd.Iova) return -Errno.EOVERFLOW;
            // In IOVA order: each area must lie wholly inside the range; the first one cut ends the call with ENOENT
            // (areas before it stay unmapped, as in iopt_unmap_iova_range), and an empty range is ENOENT too.
            for (var m = tree.FirstIntersecting(cmd.Iova, last); m is not null; m = tree.FirstIntersecting(cmd.Iova, last))
            {
                if (m.Iova < cmd.Iova || m.Last > last) return -Errno.ENOENT;
                tree.Remove(m.Iova);
                unmapped += m.Length;
                AccountUnmap(m);
            }
            if (unmapped == 0) return -Errno.ENOENT;
        }
        cmd.Length = unmapped;
        CopyOut(arg, cmd, respond);
        return 0;
    }

    private int IoasIovaRanges(IommufdFile ctx, nint arg, uint respond)
    {
        var cmd = CopyIn<IommuIoasIovaRanges>(arg, respond);
        if (cmd.Reserved != 0) return -Errno.EOPNOTSUPP;
        var ioas = FindIoas(ctx, cmd.IoasId);
        if (ioas is null) return -Errno.ENOENT;
        var ranges = AllowedRanges(ioas.Domain);
        var dst = (IommuIovaRange*)cmd.AllowedIovas;
        for (int i = 0; i < ranges.Count && i < cmd.NumIovas; i++)
            dst[i] = new IommuIovaRange { Start = ranges[i].Start, Last = ranges[i].Last };
        uint given = cmd.NumIovas;
        cmd.NumIovas = (uint)ranges.Count;
        cmd.OutIovaAlignment = PageSize;
        CopyOut(arg, cmd, respond);
        // The count is written either way so userspace can retry with a big enough array.
        return ranges.Count > given ? -Errno.EMSGSIZE : 0;
    }

    private int Option(IommufdFile ctx, nint arg, uint respond)
    {
        var cmd = CopyIn<IommuOption>(arg, respond);
        if (cmd.Reserved != 0) return -Errno.EOPNOTSUPP;
        if (cmd.Op is not (IommuFdConstants.OptionOpGet or IommuFdConstants.OptionOpSet)) return -Errno.EOPNOTSUPP;
        bool set = cmd.Op == IommuFdConstants.OptionOpSet;
        switch (cmd.OptionId)
        {
            case IommuFdConstants.OptionRlimitMode:
                if (cmd.ObjectId != 0) return -Errno.EOPNOTSUPP;
                if (set) return cmd.Val64 <= 1 ? 0 : -Errno.EINVAL;
                cmd.Val64 = 0;
                break;
            case IommuFdConstants.OptionHugePages:
                var ioas = FindIoas(ctx, cmd.ObjectId);
                if (ioas is null) return -Errno.ENOENT;
                if (set)
                {
                    if (cmd.Val64 > 1) return -Errno.EINVAL;
                    ioas.HugePages = cmd.Val64 == 1;
                    return 0;
                }
                cmd.Val64 = ioas.HugePages ? 1UL : 0UL;
                break;
            default:
                return -Errno.EOPNOTSUPP;
        }
        CopyOut(arg, cmd, respond);
        return 0;
    }

    // ---- cdev bind/attach/detach -------------------------------------------------------------------------

    private int Bind(DeviceFile d, nint arg, out Action? after)
    {
        after = null;
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 16;
        var bind = CopyIn<VfioDeviceBindIommufd>(arg, minsz);
        if (bind.Argsz < minsz || bind.Iommufd < 0) return -Errno.EINVAL;
        if ((bind.Flags & ~VfioConstants.DeviceBindFlagToken) != 0) return -Errno.EINVAL;
        Guid? token = null;
        if ((bind.Flags & VfioConstants.DeviceBindFlagToken) != 0)
        {
            if (bind.Argsz < 24) return -Errno.EINVAL;
            bind = CopyIn<VfioDeviceBindIommufd>(arg, 24);
            if (bind.TokenUuidPtr == 0) return -Errno.EFAULT;
            token = UuidFromBytes(new ReadOnlySpan<byte>((void*)bind.TokenUuidPtr, 16));
        }
        if (!d.IsCdev) return -Errno.EINVAL;
        var f = d.Function;
        _groups.TryGetValue(f.Description.IommuGroup ?? -1, out var group);
        if (group?.File is not null) return -Errno.EBUSY;
        if (d.AccessGranted) return -Errno.EINVAL;
        if (!_files.TryGetValue(bind.Iommufd, out var file))
            return IsEmulatedFd(bind.Iommufd) || !IsOpenRealFd(bind.Iommufd) ? -Errno.EBADF : -Errno.EBADFD;
        if (file is not IommufdFile ctx) return -Errno.EBADFD;
        if (f.CdevOwner is not null || f.GroupOpens > 0) return -Errno.EINVAL;
        int tokenCheck = CheckVfToken(f.Description, token);
        if (tokenCheck != 0) return tokenCheck;
        var devId = new DeviceIdObject(NewId(ctx), f);
        ctx.Objects.Add(devId.Id, devId);
        ctx.BoundDevices++;
        d.Context = ctx;
        d.DeviceId = devId;
        d.AccessGranted = true;
        f.CdevOwner = d;
        after = EnableDecoding(f);
        f.Model.Interrupts = f.Sink;
        if (group is null)
        {
            group = new GroupObject(f.Description.IommuGroup ?? -1, noIommu: false);
            _groups[group.Number] = group;
        }
        group.CdevBound++;
        bind.OutDevid = devId.Id;
        CopyOut(arg, bind, minsz);
        return 0;
    }

    /// <summary>The kernel's uuid_t byte order (big-endian text order) to a Guid.</summary>
    internal static Guid UuidFromBytes(ReadOnlySpan<byte> bytes) => new(bytes, bigEndian: true);

    private int Attach(DeviceFile d, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 12;
        var attach = CopyIn<VfioDeviceAttachIommufdPt>(arg, minsz);
        if (attach.Argsz < minsz || (attach.Flags & ~VfioConstants.DeviceAttachPasid) != 0) return -Errno.EINVAL;
        if ((attach.Flags & VfioConstants.DeviceAttachPasid) != 0)
            return attach.Argsz < 16 ? -Errno.EINVAL : -Errno.EOPNOTSUPP; // no PASID-capable emulated devices
        var ctx = d.Context!;
        if (!ctx.Objects.TryGetValue(attach.PtId, out var obj)) return -Errno.ENOENT;
        HwptObject hwpt;
        bool created = false;
        switch (obj)
        {
            case IoasObject ioas:
                // Reuse the IOAS's automatic domain when one exists (iommufd_device_auto_get_domain).
                var existing = ctx.Objects.Values.OfType<HwptObject>().FirstOrDefault(h => h.Ioas == ioas);
                created = existing is null;
                hwpt = existing ?? NewHwpt(ctx, ioas);
                break;
            case HwptObject h:
                hwpt = h;
                break;
            default:
                return -Errno.EINVAL;
        }
        if (d.Hwpt == hwpt)
        {
            attach.PtId = hwpt.Id;
            CopyOut(arg, attach, minsz);
            return 0;
        }
        var domain = hwpt.Ioas.Domain;
        if (!domain.Restricted)
        {
            // The first domain of an IOAS imposes the aperture and reserved ranges on what is already mapped.
            domain.Restricted = true;
            foreach (var m in domain.Tree.ToList())
            {
                if (InAllowedRange(domain, m.Iova, m.Last)) continue;
                domain.Restricted = false;
                if (created) ctx.Objects.Remove(hwpt.Id);
                return -Errno.EADDRINUSE;
            }
        }
        DetachHwpt(d); // replace
        if (hwpt.Devices == 0) hwpt.Ioas.Hwpts++;
        hwpt.Devices++;
        hwpt.Ioas.Domain.Restricted = true;
        d.Hwpt = hwpt;
        UpdateDma(d.Function);
        attach.PtId = hwpt.Id;
        CopyOut(arg, attach, minsz);
        return 0;
    }

    private static HwptObject NewHwpt(IommufdFile ctx, IoasObject ioas)
    {
        var hwpt = new HwptObject(NewId(ctx), ioas);
        ctx.Objects.Add(hwpt.Id, hwpt);
        return hwpt;
    }

    private int Detach(DeviceFile d, nint arg)
    {
        if (arg == 0) return -Errno.EFAULT;
        const uint minsz = 8;
        var detach = CopyIn<VfioDeviceDetachIommufdPt>(arg, minsz);
        if (detach.Argsz < minsz || (detach.Flags & ~VfioConstants.DeviceDetachPasid) != 0) return -Errno.EINVAL;
        if ((detach.Flags & VfioConstants.DeviceDetachPasid) != 0) return detach.Argsz < 12 ? -Errno.EINVAL : -Errno.EOPNOTSUPP;
        DetachHwpt(d);
        UpdateDma(d.Function);
        return 0;
    }

    private void DetachHwpt(DeviceFile d)
    {
        if (d.Hwpt is not { } hwpt) return;
        d.Hwpt = null;
        hwpt.Devices--;
        if (hwpt.Devices == 0)
        {
            // An automatic domain dies with its last device; the IOAS is unrestricted again without domains.
            d.Context!.Objects.Remove(hwpt.Id);
            hwpt.Ioas.Hwpts--;
            if (hwpt.Ioas.Hwpts == 0) hwpt.Ioas.Domain.Restricted = false;
        }
    }
}

using System.Globalization;
using Eal.Memory.Hugepages;
using Eal.Memory.Memsegs;

namespace Eal.Memory;

public sealed partial class MemorySubsystem
{
    private void InitNoHuge()
    {
        ulong bytes = (Options.MemoryMb ?? (Options.SocketMemMb is { Count: > 0 } sm ? sm[0] : 0)) * MiB;
        if (bytes == 0)
        {
            bytes = MemoryOptions.DefaultNoHugeMemoryMb * MiB;
        }

        nuint page = _os.SystemPageSize;
        int count = checked((int)(bytes / page));
        var list = ReserveList(page, 0, count, MemsegBacking.Anonymous, null);
        lock (_lock)
        {
            BackRange(list, 0, count, pinned: true);
        }
    }

    private void InitHugepages(HugepageInventory inventory)
    {
        var reserved = inventory.Sizes.Where(s => s.TotalPages > 0).ToList();
        if (reserved.Count == 0)
        {
            string pools = string.Join(", ", inventory.Sizes.Select(s => s.SizeKb.ToString(CultureInfo.InvariantCulture) + " kB"));
            throw new MemoryException(
                $"No hugepages reserved: every pool under {Path.Combine(_os.SysfsRoot, "kernel", "mm", "hugepages")} has nr_hugepages=0 " +
                $"(page sizes: {(pools.Length == 0 ? "none" : pools)}). Reserve some with 'echo 256 > /proc/sys/vm/nr_hugepages' " +
                "(or eng/setup-hugepages.sh), or use --no-huge.");
        }

        var usable = new List<(HugepageSize Size, string? Dir)>();
        if (Options.InMemory)
        {
            usable.AddRange(reserved.Select(s => (s, (string?)null)));
        }
        else if (Options.HugeDir != null)
        {
            var mounts = HugepageInventory.ReadAllMounts(_os, inventory.DefaultPageSize);
            string wanted = Options.HugeDir.TrimEnd('/');
            var match = mounts.FirstOrDefault(m => m.MountPoint.TrimEnd('/') == wanted);
            if (match.MountPoint == null)
            {
                string known = mounts.Count == 0 ? "none" : string.Join(", ", mounts.Select(m => $"{m.MountPoint} ({m.PageSize / 1024} kB)"));
                throw new MemoryException(
                    $"--huge-dir '{Options.HugeDir}' is not a hugetlbfs mount point (hugetlbfs mounts in {Path.Combine(_os.ProcRoot, "mounts")}: {known}). " +
                    $"Mount one with 'mount -t hugetlbfs nodev {Options.HugeDir}' or choose one of those.");
            }

            var size = reserved.FirstOrDefault(s => s.PageSize == match.PageSize) ?? throw new MemoryException(
                $"--huge-dir '{Options.HugeDir}' holds {match.PageSize / 1024} kB pages but none are reserved. Reserve some with " +
                $"'echo 256 > {Path.Combine(_os.SysfsRoot, "kernel", "mm", "hugepages", $"hugepages-{match.PageSize / 1024}kB", "nr_hugepages")}', or use --no-huge.");
            usable.Add((size, match.MountPoint));
        }
        else
        {
            usable.AddRange(reserved.Where(s => s.MountPoint != null).Select(s => (s, s.MountPoint)));
            if (usable.Count == 0)
            {
                var first = reserved[0];
                throw new MemoryException(
                    $"Hugepages of {string.Join(", ", reserved.Select(s => $"{s.SizeKb} kB"))} are reserved but no hugetlbfs is mounted for them " +
                    $"(none in {Path.Combine(_os.ProcRoot, "mounts")}). Mount one with 'mount -t hugetlbfs -o pagesize={first.SizeKb}K nodev /dev/hugepages' " +
                    "(or eng/setup-hugepages.sh), or use --in-memory, or --no-huge.");
            }
        }

        MemsegBacking backing = Options.InMemory ? MemsegBacking.AnonymousHugepages
            : Options.SingleFileSegments ? MemsegBacking.SingleFile : MemsegBacking.FilePerPage;
        foreach (var (size, dir) in usable)
        {
            ulong perList = Math.Min(Options.MaxListMemoryMb * MiB / size.PageSize, MemsegList.MaxSegmentsPerFileNumbering);
            for (int socket = 0; socket < SocketCount; socket++)
            {
                ReserveList((nuint)size.PageSize, socket, (int)Math.Max(perList, 1), backing, dir);
            }
        }

        Preallocate(usable.Select(u => u.Size).ToList());
    }

    /// <summary>Where memseg lists start when no --base-virtaddr is given (a hint, as DPDK's 64-bit default).</summary>
    internal const ulong DefaultBaseAddress = 0x1_0000_0000;

    private MemsegList ReserveList(nuint pageSize, int socket, int capacity, MemsegBacking backing, string? dir)
    {
        lock (_lock)
        {
            nuint length = pageSize * (nuint)capacity;
            // Like DPDK (eal_get_baseaddr), lists go from 4 GiB up even without --base-virtaddr: as IOVA-as-VA they
            // must fit IOMMUs with 39-bit address widths (Intel VT-d, QEMU's vIOMMU), which mmap's top-down
            // addresses near 2^47 do not. Only an explicit --base-virtaddr is strict.
            nuint next = Options.BaseVirtAddr != 0 ? (nuint)Options.BaseVirtAddr : unchecked((nuint)DefaultBaseAddress);
            if (_lists.Count > 0)
            {
                var last = _lists[^1];
                next = (nuint)last.BaseAddress + last.Length;
            }

            nint hint = (nint)((next + pageSize - 1) & ~(pageSize - 1));

            string name = string.Create(CultureInfo.InvariantCulture, $"memseg-{pageSize / 1024}k-{socket}-{_lists.Count(l => l.PageSize == pageSize && l.Socket == socket)}");
            nint at = _os.ReserveAddressSpace(hint, length, pageSize);
            if (Options.BaseVirtAddr != 0 && at != hint)
            {
                _os.Unmap(at, length);
                throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"--base-virtaddr 0x{Options.BaseVirtAddr:x}: cannot reserve {name} (0x{length:x} bytes) at 0x{(nuint)hint:x}, the range is in use. Choose another --base-virtaddr, or drop it."));
            }

            var list = new MemsegList(_lists.Count, name, pageSize, socket, at, capacity, backing, dir);
            _lists.Add(list);
            return list;
        }
    }

    private void Preallocate(List<HugepageSize> sizes)
    {
        var want = new ulong[SocketCount];
        string what;
        if (Options.SocketMemMb != null)
        {
            what = "--socket-mem";
            for (int s = 0; s < Options.SocketMemMb.Count; s++)
            {
                if (Options.SocketMemMb[s] == 0)
                {
                    continue;
                }

                if (s >= SocketCount)
                {
                    throw new MemoryException($"--socket-mem asks {Options.SocketMemMb[s]} MiB on socket {s} but this machine has {SocketCount} socket(s); give one value per socket.");
                }

                want[s] = Options.SocketMemMb[s] * MiB;
            }
        }
        else if (Options.MemoryMb != null)
        {
            what = "-m";
            ulong remaining = Options.MemoryMb.Value * MiB;
            for (int s = 0; s < SocketCount && remaining > 0; s++)
            {
                want[s] = Math.Min(remaining, FreeBytes(sizes, s));
                remaining -= want[s];
            }

            if (remaining > 0)
            {
                ulong free = (ulong)Enumerable.Range(0, SocketCount).Sum(s => (decimal)FreeBytes(sizes, s));
                throw new MemoryException(
                    $"Not enough hugepages: -m asks {Options.MemoryMb} MiB but only {Mb(free)} are free ({Describe(sizes)}). " +
                    "Reserve more with 'echo <pages> > /proc/sys/vm/nr_hugepages' (or eng/setup-hugepages.sh), or lower -m.");
            }
        }
        else if (Options.LegacyMem)
        {
            what = "--legacy-mem";
            for (int s = 0; s < SocketCount; s++)
            {
                want[s] = FreeBytes(sizes, s);
            }
        }
        else
        {
            return;
        }

        for (int s = 0; s < SocketCount; s++)
        {
            if (want[s] > FreeBytes(sizes, s))
            {
                throw NotEnoughOnSocket(what, s, want[s], sizes);
            }
        }

        lock (_lock)
        {
            for (int s = 0; s < SocketCount; s++)
            {
                PreallocateSocket(what, s, want[s], sizes);
            }
        }
    }

    private void PreallocateSocket(string what, int socket, ulong bytes, List<HugepageSize> sizes)
    {
        ulong remaining = bytes;
        foreach (var size in sizes.OrderByDescending(z => z.PageSize))
        {
            var list = _lists.First(l => l.PageSize == (nuint)size.PageSize && l.Socket == socket);
            long pages = Math.Min((long)(remaining / size.PageSize), Math.Min(size.FreePagesPerSocket[socket], list.Capacity - list.BackedCount));
            if (pages > 0)
            {
                BackRangeOrExplain(what, list, (int)pages, remaining, sizes);
                remaining -= (ulong)pages * size.PageSize;
            }
        }

        if (remaining > 0)
        {
            // Not a multiple of any page size: round up with the smallest page that still has room.
            var size = sizes[0];
            var list = _lists.First(l => l.PageSize == (nuint)size.PageSize && l.Socket == socket);
            int pages = (int)((remaining + size.PageSize - 1) / size.PageSize);
            BackRangeOrExplain(what, list, pages, remaining, sizes);
        }
    }

    private void BackRangeOrExplain(string what, MemsegList list, int pages, ulong wanted, List<HugepageSize> sizes)
    {
        int first = list.FindFreeRun(pages);
        if (first < 0)
        {
            throw NotEnoughOnSocket(what, list.Socket, wanted, sizes);
        }

        try
        {
            BackRange(list, first, pages, pinned: true);
        }
        catch (Eal.Memory.Os.MemoryOsException e) when (IsOutOfPages(e))
        {
            throw new MemoryException(NotEnoughOnSocket(what, list.Socket, wanted, sizes).Message, e);
        }
    }

    private static ulong FreeBytes(List<HugepageSize> sizes, int socket) =>
        sizes.Aggregate(0UL, (sum, z) => sum + ((ulong)z.FreePagesPerSocket[socket] * z.PageSize));

    private static string Describe(List<HugepageSize> sizes) =>
        string.Join(", ", sizes.Select(z => $"{z.SizeKb} kB: {string.Join("/", z.FreePagesPerSocket)} free per socket"));

    private MemoryException NotEnoughOnSocket(string what, int socket, ulong wanted, List<HugepageSize> sizes)
    {
        var size = sizes[0];
        string node = Path.Combine(_os.SysfsRoot, "devices", "system", "node", $"node{socket}", "hugepages", $"hugepages-{size.SizeKb}kB", "nr_hugepages");
        return new MemoryException(
            $"Not enough hugepages on socket {socket}: {what} asks {Mb(wanted)} but only {Mb(FreeBytes(sizes, socket))} are free there ({Describe(sizes)}). " +
            $"Reserve more with 'echo <pages> > {node}' (or eng/setup-hugepages.sh), or ask for less memory.");
    }

    // Populating a node-bound range reports a node without free pages as EFAULT (the fault would have been SIGBUS).
    internal static bool IsOutOfPages(Eal.Memory.Os.MemoryOsException e) =>
        e.ErrorNumber is Eal.Memory.Os.Errno.ENOMEM or Eal.Memory.Os.Errno.ENOSPC
        || (e.Call == "madvise" && e.ErrorNumber == Eal.Memory.Os.Errno.EFAULT);
}

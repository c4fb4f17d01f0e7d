using System.Globalization;
using Eal.Bus;
using Eal.Memory.Heap;
using Eal.Memory.Iova;
using Eal.Memory.Memsegs;
using Eal.Memory.Os;

namespace Eal.Memory;

public sealed partial class MemorySubsystem
{
    /// <summary>Backs pages [first, first+count) of a list, assigns IOVAs and fires alloc events; all or nothing. Lock held.</summary>
    private void BackRange(MemsegList list, int first, int count, bool pinned)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        nint va = list.AddressOf(first);
        nuint len = list.PageSize * (nuint)count;
        try
        {
            MapPages(list, first, count);
        }
        catch (MemoryOsException e) when (e.Call is "mbind" or "set_mempolicy")
        {
            throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                $"Cannot bind {list.Name} (socket {list.Socket}) to NUMA node {list.Socket}: {e.Message}. Node {list.Socket} is not online or has no memory " +
                $"(see {Path.Combine(_os.SysfsRoot, "devices", "system", "node")}); ask for memory on an existing socket (--socket-mem, socket ids)."), e);
        }

        bool marked = false;
        try
        {
            for (int i = 0; i < count; i++)
            {
                nint page = list.AddressOf(first + i);
                ulong iova = IovaMode == IovaMode.PA
                    ? _os.VirtualToPhysical(page) ?? throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                        $"IOVA as PA: no physical address for page 0x{(nuint)page:x} of {list.Name}. {PhysicalAddressProbe.PhysicalAddressesUnavailableMessage}"))
                    : (ulong)page;
                list.SetBacked(first + i, iova, pinned);
            }

            marked = true;
            _usedPerSocket[list.Socket] += len;
            NotifyAlloc(list, va, len);
        }
        catch
        {
            for (int i = 0; i < count; i++)
            {
                list.SetFree(first + i);
            }

            if (marked)
            {
                _usedPerSocket[list.Socket] -= len;
            }

            UnmapPages(list, first, count);
            throw;
        }
    }

    /// <summary>Memory of socket N is bound to NUMA node N (as DPDK places hugepages per socket), so a shortage there fails instead of spilling.</summary>
    private static NumaPlacement PlacementOf(MemsegList list) => list.Socket >= 0 ? NumaPlacement.BindTo(list.Socket) : NumaPlacement.Anywhere;

    private void MapPages(MemsegList list, int first, int count)
    {
        nint va = list.AddressOf(first);
        nuint len = list.PageSize * (nuint)count;
        NumaPlacement placement = PlacementOf(list);
        switch (list.Backing)
        {
            case MemsegBacking.Anonymous:
                _os.MapAnonymous(va, len, 0, placement);
                break;
            case MemsegBacking.AnonymousHugepages:
                _os.MapAnonymous(va, len, list.PageSize, placement);
                break;
            case MemsegBacking.SingleFile:
            {
                string path = list.FilePath(Options.FilePrefix, 0);
                if (list.SingleFileDescriptor < 0)
                {
                    RemoveLeftover(path);
                    list.SingleFileDescriptor = _os.OpenHugepageFile(path);
                }

                long offset = (long)(list.PageSize * (nuint)first);
                _os.Allocate(list.SingleFileDescriptor, path, offset, (long)len, placement);
                try
                {
                    _os.MapFile(va, len, list.SingleFileDescriptor, path, offset, placement);
                }
                catch
                {
                    _os.Deallocate(list.SingleFileDescriptor, path, offset, (long)len);
                    throw;
                }

                break;
            }

            case MemsegBacking.FilePerPage:
                for (int i = 0; i < count; i++)
                {
                    try
                    {
                        MapFilePage(list, first + i);
                    }
                    catch
                    {
                        UnmapPages(list, first, i);
                        throw;
                    }
                }

                break;
            default:
                throw new InvalidOperationException($"{list.Name} holds external memory; it cannot be backed by the subsystem.");
        }
    }

    private void MapFilePage(MemsegList list, int index)
    {
        string path = list.FilePath(Options.FilePrefix, index);
        RemoveLeftover(path);
        int fd = _os.OpenHugepageFile(path);
        try
        {
            _os.Allocate(fd, path, 0, (long)list.PageSize, PlacementOf(list));
            _os.MapFile(list.AddressOf(index), list.PageSize, fd, path, 0, PlacementOf(list));
        }
        catch
        {
            _os.Close(fd);
            if (Options.HugeUnlink != HugeUnlinkMode.Never)
            {
                _os.Unlink(path);
            }

            throw;
        }

        _os.Close(fd); // the mapping keeps the page; no descriptor per page
        if (Options.HugeUnlink == HugeUnlinkMode.Always)
        {
            _os.Unlink(path);
        }
    }

    private void RemoveLeftover(string path)
    {
        // A file left by a previous run holds its pages (and stale content) until removed.
        if (Options.HugeUnlink == HugeUnlinkMode.Existing && _os.FileExists(path))
        {
            _os.Unlink(path);
        }
    }

    private void UnmapPages(MemsegList list, int first, int count)
    {
        if (count == 0)
        {
            return;
        }

        nint va = list.AddressOf(first);
        nuint len = list.PageSize * (nuint)count;
        _os.Unback(va, len);
        if (list.Backing == MemsegBacking.SingleFile && Options.HugeUnlink != HugeUnlinkMode.Never)
        {
            _os.Deallocate(list.SingleFileDescriptor, list.FilePath(Options.FilePrefix, 0), (long)(list.PageSize * (nuint)first), (long)len);
        }
        else if (list.Backing == MemsegBacking.FilePerPage && Options.HugeUnlink == HugeUnlinkMode.Existing)
        {
            for (int i = 0; i < count; i++)
            {
                _os.Unlink(list.FilePath(Options.FilePrefix, first + i));
            }
        }
    }

    private void NotifyAlloc(MemsegList list, nint va, nuint len)
    {
        var ev = new MemoryEvent(MemoryEventType.Alloc, va, len, list);
        for (int k = 0; k < _callbacks.Count; k++)
        {
            try
            {
                _callbacks[k].Callback(ev);
            }
#pragma warning disable CA1031 // any failure of a callback refuses the allocation
            catch (Exception e)
#pragma warning restore CA1031
            {
                var free = ev with { Type = MemoryEventType.Free };
                for (int j = k - 1; j >= 0; j--)
                {
                    InvokeFree(j, free);
                }

                throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"Memory event callback '{_callbacks[k].Name}' refused 0x{len:x} bytes at 0x{(nuint)va:x} of {list.Name} ({e.Message}); the allocation was rolled back."), e);
            }
        }
    }

    private void NotifyFree(MemsegList list, nint va, nuint len)
    {
        var ev = new MemoryEvent(MemoryEventType.Free, va, len, list);
        for (int k = _callbacks.Count - 1; k >= 0; k--)
        {
            InvokeFree(k, ev);
        }
    }

    private void InvokeFree(int k, in MemoryEvent ev)
    {
        try
        {
            _callbacks[k].Callback(ev);
        }
#pragma warning disable CA1031 // a release cannot be refused; DPDK ignores failures of free notifications too
        catch (Exception)
#pragma warning restore CA1031
        {
            FailedFreeNotifications++;
        }
    }

    /// <summary>Number of free notifications whose callback threw (the release went on regardless).</summary>
    public int FailedFreeNotifications { get; private set; }

    /// <summary>
    /// Backs at least <paramref name="bytes"/> of new virtually contiguous memory on <paramref name="socket"/> for the heap.
    /// Returns false with a message that says why and what to do when it cannot.
    /// </summary>
    internal bool TryGrow(int socket, nuint bytes, HeapConstraint constraint, out nint start, out nuint length, out string failure)
    {
        start = 0;
        length = 0;
        lock (_lock)
        {
            if (_disposed)
            {
                failure = "the memory subsystem is disposed";
                return false;
            }

            if (!IsDynamic)
            {
                failure = Options.NoHuge
                    ? $"--no-huge memory is fixed at start ({Mb(_usedPerSocket[0])}); ask for more with -m"
                    : $"--legacy-mem memory is fixed at start ({Mb(_usedPerSocket[socket])} on socket {socket}); ask for more with -m or --socket-mem";
                return false;
            }

            failure = constraint.PageSizeMask == 0
                ? $"no hugepage memseg list on socket {socket}"
                : $"no memseg list of {constraint.Describe()} pages on socket {socket} (reserve such hugepages and mount a hugetlbfs for them, or drop the page-size flag)";
            ulong limit = Options.SocketLimitMb is { } lim && socket < lim.Count ? lim[socket] * MiB : 0;
            foreach (var list in _lists.Where(l => l.Socket == socket && !l.IsExternal && constraint.Allows(l.PageSize)).OrderBy(l => l.PageSize))
            {
                int pages = (int)((bytes + list.PageSize - 1) / list.PageSize);
                nuint len = list.PageSize * (nuint)pages;
                if (limit != 0 && _usedPerSocket[socket] + len > limit)
                {
                    failure = $"--socket-limit of {Mb(limit)} on socket {socket} reached ({Mb(_usedPerSocket[socket])} in use, 0x{len:x} bytes more needed); raise --socket-limit or free memory";
                    continue;
                }

                int first = list.FindFreeRun(pages);
                if (first < 0)
                {
                    failure = $"{list.Name} has no {pages} free consecutive pages ({list.BackedCount}/{list.Capacity} backed)";
                    continue;
                }

                try
                {
                    BackRange(list, first, pages, pinned: false);
                }
                catch (MemoryOsException e) when (IsOutOfPages(e))
                {
                    failure = $"not enough free {list.PageSize / 1024} kB hugepages on socket {socket} for 0x{len:x} bytes ({e.Message}); " +
                        $"reserve more in {Path.Combine(_os.SysfsRoot, "devices", "system", "node", $"node{socket}", "hugepages", $"hugepages-{list.PageSize / 1024}kB", "nr_hugepages")} (or eng/setup-hugepages.sh)";
                    continue;
                }
                catch (MemoryException e)
                {
                    failure = e.Message;
                    return false;
                }

                start = list.AddressOf(first);
                length = len;
                return true;
            }

            return false;
        }
    }

    /// <summary>Page size and releasable state of the memory at <paramref name="address"/>: (page size, list) or (0, null).</summary>
    internal (nuint PageSize, MemsegList? List) PageInfo(nint address)
    {
        var list = FindList(address);
        return list == null ? (0, null) : (list.PageSize, list);
    }

    /// <summary>
    /// Trims [start, end) (page aligned) to the pages that can be given back (backed, not preallocated) inside one list
    /// and releases them (free events first). Returns the released range, or (0, 0) when nothing could be released.
    /// </summary>
    internal (nint Start, nuint Length) ReleasePages(nint start, nint end)
    {
        lock (_lock)
        {
            if (_disposed || !IsDynamic)
            {
                return (0, 0);
            }

            var list = _lists.Find(l => l.Contains(start));
            if (list == null || list.IsExternal || !list.Contains(end - 1))
            {
                return (0, 0);
            }

            int first = list.IndexOf(start);
            int last = list.IndexOf(end - 1);
            if (list.AddressOf(first) != start || list.AddressOf(last) + (nint)list.PageSize != end)
            {
                throw new InvalidOperationException("Release range must be page aligned.");
            }

            // Preallocated pages at either end stay; a pinned page in the middle keeps the whole range.
            while (first <= last && list.IsPinned(first))
            {
                first++;
            }

            while (last >= first && list.IsPinned(last))
            {
                last--;
            }

            for (int i = first; i <= last; i++)
            {
                if (!list.IsBacked(i) || list.IsPinned(i))
                {
                    return (0, 0);
                }
            }

            if (last < first)
            {
                return (0, 0);
            }

            int count = last - first + 1;
            nuint len = list.PageSize * (nuint)count;
            start = list.AddressOf(first);
            NotifyFree(list, start, len);
            for (int i = first; i <= last; i++)
            {
                list.SetFree(i);
            }

            _usedPerSocket[list.Socket] -= len;
            UnmapPages(list, first, count);
            return (start, len);
        }
    }

    /// <summary>True when every page of [start, end) is backed and preallocated (never given back).</summary>
    internal bool IsPinned(nint start, nint end)
    {
        var list = FindList(start);
        if (list == null)
        {
            return false;
        }

        for (int i = list.IndexOf(start); i <= list.IndexOf(end - 1); i++)
        {
            if (!list.IsPinned(i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Registers memory the application owns (DPDK's <c>rte_extmem_register</c>) so devices can reach it: creates an
    /// external memseg list and fires alloc events so VFIO containers map it. <paramref name="iovas"/> gives the IOVA of
    /// every page; without it IOVA is the virtual address in VA mode and unknown in PA mode.
    /// </summary>
    public MemsegList RegisterExternalMemory(nint address, nuint length, nuint pageSize, IReadOnlyList<ulong>? iovas = null)
    {
        if (pageSize == 0 || !nuint.IsPow2(pageSize) || pageSize < _os.SystemPageSize)
        {
            throw new ArgumentException($"External memory page size 0x{pageSize:x} is invalid: it must be a power of two of at least 0x{_os.SystemPageSize:x}.", nameof(pageSize));
        }

        if (address == 0 || length == 0 || ((nuint)address % pageSize) != 0 || (length % pageSize) != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"External memory 0x{(nuint)address:x}+0x{length:x} is invalid: address and length must be non-zero multiples of the page size 0x{pageSize:x}."));
        }

        int pages = checked((int)(length / pageSize));
        if (iovas != null && iovas.Count != pages)
        {
            throw new ArgumentException($"External memory of {pages} pages needs {pages} IOVAs, got {iovas.Count}.", nameof(iovas));
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var overlap = _lists.Find(l => (nuint)address < (nuint)l.BaseAddress + l.Length && (nuint)l.BaseAddress < (nuint)address + length);
            if (overlap != null)
            {
                throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                    $"External memory 0x{(nuint)address:x}+0x{length:x} overlaps {overlap.Name}; unregister it first or register another range."));
            }

            var list = new MemsegList(_lists.Count, string.Create(CultureInfo.InvariantCulture, $"extmem-{(nuint)address:x}"), pageSize, -1, address, pages, MemsegBacking.External, null);
            for (int i = 0; i < pages; i++)
            {
                ulong iova = iovas?[i] ?? (IovaMode == IovaMode.VA ? (ulong)list.AddressOf(i) : BadIova);
                list.SetBacked(i, iova, pinned: true);
            }

            NotifyAlloc(list, address, length);
            _lists.Add(list);
            return list;
        }
    }

    /// <summary>Unregisters external memory (free events first, so DMA mappings go away before the application frees it).</summary>
    public void UnregisterExternalMemory(nint address)
    {
        lock (_lock)
        {
            var list = _lists.Find(l => l.IsExternal && l.BaseAddress == address) ?? throw new MemoryException(string.Create(CultureInfo.InvariantCulture,
                $"No external memory is registered at 0x{(nuint)address:x}; pass the address given to RegisterExternalMemory."));
            NotifyFree(list, list.BaseAddress, list.Length);
            _lists.Remove(list);
        }
    }
}

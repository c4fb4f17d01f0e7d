using System.Globalization;
using System.Text;

namespace Eal.Memory.Os;

/// <summary>A hugepage pool of the emulated machine.</summary>
/// <param name="PageSize">Page size in bytes (2 MiB, 1 GiB).</param>
/// <param name="PagesPerSocket">Pages reserved on each NUMA node.</param>
public sealed record EmulatedHugepagePool(nuint PageSize, IReadOnlyList<long> PagesPerSocket);

/// <summary>
/// Deterministic fake physical addresses for the emulated pagemap: each page gets the next frame when first asked
/// (hugepages are physically contiguous inside); can be told that physical addresses are unavailable (non-root).
/// </summary>
public sealed class EmulatedPhysicalAddresses
{
    private readonly Dictionary<nint, ulong> _frames = [];
    private ulong _next;

    /// <summary>Creates the allocator; frames start at <paramref name="firstAddress"/>.</summary>
    public EmulatedPhysicalAddresses(ulong firstAddress = 0x1_0000_0000) => _next = firstAddress;

    /// <summary>False makes every translation fail, as pagemap does for an unprivileged process.</summary>
    public bool Available { get; set; } = true;

    /// <summary>
    /// Bytes skipped after every frame handed out (0: frames follow each other): a fragmented machine where no two
    /// pages are physically adjacent, so IOVA-as-PA memory is contiguous only inside a page.
    /// </summary>
    public ulong GapBetweenFrames { get; set; }

    /// <summary>The physical address of <paramref name="address"/> inside a page of <paramref name="pageSize"/> bytes, or null when unavailable.</summary>
    public ulong? Translate(nint address, nuint pageSize)
    {
        if (!Available)
        {
            return null;
        }

        nint page = address & ~(nint)(pageSize - 1);
        lock (_frames)
        {
            if (!_frames.TryGetValue(page, out ulong pa))
            {
                _next = (_next + pageSize - 1) & ~((ulong)pageSize - 1);
                pa = _next;
                _next += pageSize;
                _next += GapBetweenFrames;
                _frames.Add(page, pa);
            }

            return pa + (ulong)(address - page);
        }
    }

    /// <summary>Forgets the frames of a released range (a new backing gets new frames).</summary>
    public void Release(nint address, nuint length)
    {
        lock (_frames)
        {
            foreach (nint page in _frames.Keys.Where(p => (nuint)(p - address) < length).ToArray())
            {
                _frames.Remove(page);
            }
        }
    }
}

/// <summary>
/// An emulated kernel for the memory subsystem: hugepage pools per socket and hugetlbfs mounts answered from
/// virtual sysfs/procfs files, hugepages backed by ordinary memory and charged to their pool (ENOMEM when it is
/// empty, like the kernel), hugetlbfs files as a name table, pagemap from <see cref="EmulatedPhysicalAddresses"/>,
/// NUMA policies (recorded per mapping, see <see cref="PlacementOf"/>; <c>MPOL_BIND</c> takes pages only from its node,
/// <c>MPOL_PREFERRED</c> falls back to the others, a node that does not exist is EINVAL as in <c>mbind</c>),
/// and failure injection (fail the n-th call of an operation). Address space operations are real.
/// </summary>
public sealed class EmulatedMemoryOs : IMemoryOs
{
    private readonly LinuxMemoryOs _real = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _hugeFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _fds = [];
    private readonly Dictionary<nint, (nuint PageSize, int Socket)> _hugePages = [];
    private readonly List<(nint Address, nuint Length, NumaPlacement Placement)> _placements = [];
    private readonly List<NumaPlacement> _allocatePlacements = [];
    private readonly Dictionary<(nuint, int), long> _free = [];
    private readonly Dictionary<string, (int Remaining, int Errno)> _failures = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<EmulatedHugepagePool> _pools;
    private readonly IReadOnlyList<(string Path, nuint PageSize)> _mounts;
    private int _nextFd = 1000;

    /// <summary>Creates the emulated machine.</summary>
    /// <param name="pools">Hugepage pools (empty: no hugepages reserved).</param>
    /// <param name="mounts">hugetlbfs mounts (mount point, page size).</param>
    /// <param name="socketCount">NUMA nodes.</param>
    /// <param name="iommuGroups">Number of IOMMU groups listed in sysfs (an IOMMU is present when non-zero).</param>
    public EmulatedMemoryOs(IReadOnlyList<EmulatedHugepagePool> pools, IReadOnlyList<(string Path, nuint PageSize)> mounts, int socketCount = 1, int iommuGroups = 0)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(mounts);
        _pools = pools;
        _mounts = mounts;
        SocketCount = socketCount;
        foreach (var pool in pools)
        {
            for (int s = 0; s < socketCount; s++)
            {
                _free[(pool.PageSize, s)] = s < pool.PagesPerSocket.Count ? pool.PagesPerSocket[s] : 0;
            }
        }

        var mountText = new StringBuilder("proc /proc proc rw 0 0\n");
        foreach (var (path, size) in mounts)
        {
            mountText.Append(CultureInfo.InvariantCulture, $"nodev {path} hugetlbfs rw,relatime,pagesize={size / 1024}k 0 0\n");
        }

        _files[Path.Combine(ProcRoot, "mounts")] = mountText.ToString();
        nuint defaultSize = pools.Count > 0 ? pools[0].PageSize : 2 << 20;
        _files[Path.Combine(ProcRoot, "meminfo")] = $"MemTotal: 8388608 kB\nHugepagesize:       {defaultSize / 1024} kB\n";
        for (int g = 0; g < iommuGroups; g++)
        {
            _files[Path.Combine(SysfsRoot, "kernel", "iommu_groups", g.ToString(CultureInfo.InvariantCulture), "type")] = "DMA\n";
        }

        RefreshPoolFiles();
    }

    /// <summary>A machine with <paramref name="pages2M"/> free 2 MiB pages per socket mounted at <c>/dev/hugepages</c>.</summary>
    public static EmulatedMemoryOs With2MPages(params long[] pages2M) =>
        new([new EmulatedHugepagePool(2 << 20, pages2M)], [("/dev/hugepages", 2 << 20)], Math.Max(1, pages2M.Length));

    /// <inheritdoc />
    public string SysfsRoot => "/emulated/sys";

    /// <inheritdoc />
    public string ProcRoot => "/emulated/proc";

    /// <inheritdoc />
    public nuint SystemPageSize => _real.SystemPageSize;

    /// <summary>Number of NUMA nodes.</summary>
    public int SocketCount { get; }

    /// <summary>The pagemap answers.</summary>
    public EmulatedPhysicalAddresses PhysicalAddresses { get; } = new();

    /// <summary>Names of the hugetlbfs files that exist.</summary>
    public IReadOnlyCollection<string> HugepageFiles
    {
        get
        {
            lock (_lock)
            {
                return _hugeFiles.ToArray();
            }
        }
    }

    /// <summary>Open descriptors.</summary>
    public int OpenDescriptors
    {
        get
        {
            lock (_lock)
            {
                return _fds.Count;
            }
        }
    }

    /// <summary>Hugepages currently in use (all sizes, all sockets).</summary>
    public int HugepagesInUse
    {
        get
        {
            lock (_lock)
            {
                return _hugePages.Count;
            }
        }
    }

    /// <summary>Free pages of <paramref name="pageSize"/> on <paramref name="socket"/>.</summary>
    public long FreePages(nuint pageSize, int socket)
    {
        lock (_lock)
        {
            return _free.GetValueOrDefault((pageSize, socket));
        }
    }

    /// <summary>The NUMA placement the mapping containing <paramref name="address"/> was made with, or null when it is not backed.</summary>
    public NumaPlacement? PlacementOf(nint address)
    {
        lock (_lock)
        {
            foreach (var (start, length, placement) in _placements)
            {
                if ((nuint)(address - start) < length)
                {
                    return placement;
                }
            }

            return null;
        }
    }

    /// <summary>The thread policies of the <see cref="Allocate"/> calls so far (what <c>fallocate</c> ran under), in order.</summary>
    public IReadOnlyList<NumaPlacement> AllocatePlacements
    {
        get
        {
            lock (_lock)
            {
                return _allocatePlacements.ToArray();
            }
        }
    }

    /// <summary>
    /// The <see cref="FailNth"/> operation name of the NUMA binding inside <see cref="MapAnonymous"/>, <see cref="MapFile"/>
    /// (<c>mbind</c>) and <see cref="Allocate"/> (<c>set_mempolicy</c>).
    /// </summary>
    public const string BindOperation = "Bind";

    /// <summary>
    /// Makes the <paramref name="nth"/> next call of <paramref name="operation"/> (a name of an <see cref="IMemoryOs"/> method,
    /// or <see cref="BindOperation"/>) fail with <paramref name="errno"/>.
    /// </summary>
    public void FailNth(string operation, int nth, int errno)
    {
        lock (_lock)
        {
            _failures[operation] = (nth, errno);
        }
    }

    /// <summary>Creates a file that exists before the subsystem starts (a leftover of a previous run).</summary>
    public void CreateLeftoverFile(string path)
    {
        lock (_lock)
        {
            _hugeFiles.Add(path);
        }
    }

    /// <inheritdoc />
    public string? ReadText(string path)
    {
        lock (_lock)
        {
            return _files.GetValueOrDefault(path);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListDirectory(string path)
    {
        string prefix = path.TrimEnd('/') + "/";
        lock (_lock)
        {
            return _files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => k[prefix.Length..].Split('/')[0]).Distinct().ToArray();
        }
    }

    /// <inheritdoc />
    public nint ReserveAddressSpace(nint hint, nuint length, nuint alignment)
    {
        Inject(nameof(ReserveAddressSpace), "reserve");
        return _real.ReserveAddressSpace(hint, length, alignment);
    }

    /// <inheritdoc />
    public void Unmap(nint address, nuint length)
    {
        Inject(nameof(Unmap), "munmap");
        ReleaseHuge(address, length);
        _real.Unmap(address, length);
    }

    /// <inheritdoc />
    public void Unback(nint address, nuint length)
    {
        Inject(nameof(Unback), "mmap");
        ReleaseHuge(address, length);
        _real.Unback(address, length);
    }

    /// <inheritdoc />
    public void MapAnonymous(nint address, nuint length, nuint hugePageSize, NumaPlacement placement)
    {
        Inject(nameof(MapAnonymous), "mmap");
        CheckNode(placement, "mbind");
        if (hugePageSize != 0)
        {
            Charge(address, length, hugePageSize, placement, "madvise");
        }

        _real.MapAnonymous(address, length, 0, NumaPlacement.Anywhere);
        Record(address, length, placement);
    }

    /// <inheritdoc />
    public int OpenHugepageFile(string path)
    {
        Inject(nameof(OpenHugepageFile), "open");
        lock (_lock)
        {
            string dir = Path.GetDirectoryName(path) ?? string.Empty;
            if (!_mounts.Any(m => m.Path.TrimEnd('/') == dir))
            {
                throw new MemoryOsException("open", path, Errno.ENOENT);
            }

            _hugeFiles.Add(path);
            int fd = _nextFd++;
            _fds.Add(fd, path);
            return fd;
        }
    }

    /// <inheritdoc />
    public void Allocate(int fd, string path, long offset, long length, NumaPlacement placement)
    {
        Inject(nameof(Allocate), "fallocate");
        CheckNode(placement, "set_mempolicy");
        CheckFd(fd, "fallocate");
        lock (_lock)
        {
            _allocatePlacements.Add(placement);
        }
    }

    /// <inheritdoc />
    public void Deallocate(int fd, string path, long offset, long length)
    {
        Inject(nameof(Deallocate), "fallocate");
        CheckFd(fd, "fallocate");
    }

    /// <inheritdoc />
    public void MapFile(nint address, nuint length, int fd, string path, long offset, NumaPlacement placement)
    {
        Inject(nameof(MapFile), "mmap");
        CheckFd(fd, "mmap");
        CheckNode(placement, "mbind");
        nuint pageSize = _mounts.First(m => m.Path.TrimEnd('/') == Path.GetDirectoryName(path)).PageSize;
        Charge(address, length, pageSize, placement, "mmap");
        _real.MapAnonymous(address, length, 0, NumaPlacement.Anywhere);
        Record(address, length, placement);
    }

    /// <inheritdoc />
    public void Close(int fd)
    {
        Inject(nameof(Close), "close");
        lock (_lock)
        {
            if (!_fds.Remove(fd))
            {
                throw new MemoryOsException("close", $"fd {fd}", Errno.EBADF);
            }
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        lock (_lock)
        {
            return _hugeFiles.Contains(path);
        }
    }

    /// <inheritdoc />
    public void Unlink(string path)
    {
        Inject(nameof(Unlink), "unlink");
        lock (_lock)
        {
            _hugeFiles.Remove(path);
        }
    }

    /// <inheritdoc />
    public ulong? VirtualToPhysical(nint virtualAddress)
    {
        nuint pageSize = SystemPageSize;
        lock (_lock)
        {
            foreach (var (page, info) in _hugePages)
            {
                if ((nuint)(virtualAddress - page) < info.PageSize)
                {
                    pageSize = info.PageSize;
                    break;
                }
            }
        }

        return PhysicalAddresses.Translate(virtualAddress, pageSize);
    }

    /// <inheritdoc />
    public int? NodeOf(nint address)
    {
        lock (_lock)
        {
            foreach (var (page, info) in _hugePages)
            {
                if ((nuint)(address - page) < info.PageSize)
                {
                    return info.Socket;
                }
            }
        }

        // Normal pages: where the policy put them, node 0 without one.
        return PlacementOf(address) is { IsBound: true } p ? p.Node : 0;
    }

    private void Record(nint address, nuint length, NumaPlacement placement)
    {
        lock (_lock)
        {
            _placements.Add((address, length, placement));
        }
    }

    // Keeps the parts of recorded mappings outside [address, address + length). Lock held.
    private void ForgetPlacements(nint address, nuint length)
    {
        nint end = address + (nint)length;
        for (int i = _placements.Count - 1; i >= 0; i--)
        {
            var (start, len, placement) = _placements[i];
            nint stop = start + (nint)len;
            if (stop <= address || start >= end)
            {
                continue;
            }

            _placements.RemoveAt(i);
            if (start < address)
            {
                _placements.Add((start, (nuint)(address - start), placement));
            }

            if (stop > end)
            {
                _placements.Add((end, (nuint)(stop - end), placement));
            }
        }
    }

    private void CheckNode(NumaPlacement placement, string call)
    {
        if (placement.IsBound)
        {
            Inject(BindOperation, call);
        }

        if (placement.IsBound && (placement.Node < 0 || placement.Node >= SocketCount))
        {
            // The kernel rejects a node mask naming a node that is not online.
            throw new MemoryOsException(call, $"{placement} (the machine has nodes 0..{SocketCount - 1})", Errno.EINVAL);
        }
    }

    private void Charge(nint address, nuint length, nuint pageSize, NumaPlacement placement, string call)
    {
        lock (_lock)
        {
            long pages = (long)(length / pageSize);

            // MPOL_BIND: only its node. MPOL_PREFERRED: its node, then the others. Default: node 0, then the others.
            int first = placement.IsBound ? placement.Node : 0;
            int socket = first;
            IEnumerable<int> candidates = placement.Policy == NumaPolicy.Bind
                ? [first]
                : new[] { first }.Concat(Enumerable.Range(0, SocketCount).Where(n => n != first));
            long free = 0;
            bool found = false;
            foreach (int node in candidates)
            {
                if (_free.TryGetValue((pageSize, node), out free) && free >= pages)
                {
                    socket = node;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                throw new MemoryOsException(call, $"{pages} x {pageSize / 1024} kB hugepages on socket {first} ({placement})", Errno.ENOMEM);
            }

            _free[(pageSize, socket)] = free - pages;
            for (long i = 0; i < pages; i++)
            {
                _hugePages[address + (nint)((nuint)i * pageSize)] = (pageSize, socket);
            }

            RefreshPoolFiles();
        }
    }

    private void ReleaseHuge(nint address, nuint length)
    {
        lock (_lock)
        {
            ForgetPlacements(address, length);
            foreach (var (page, info) in _hugePages.Where(p => (nuint)(p.Key - address) < length).ToArray())
            {
                _hugePages.Remove(page);
                _free[(info.PageSize, info.Socket)]++;
            }

            RefreshPoolFiles();
        }

        PhysicalAddresses.Release(address, length);
    }

    private void CheckFd(int fd, string call)
    {
        lock (_lock)
        {
            if (!_fds.ContainsKey(fd))
            {
                throw new MemoryOsException(call, $"fd {fd}", Errno.EBADF);
            }
        }
    }

    private void Inject(string operation, string call)
    {
        lock (_lock)
        {
            if (_failures.TryGetValue(operation, out var f))
            {
                if (f.Remaining <= 1)
                {
                    _failures.Remove(operation);
                    throw new MemoryOsException(call, "injected failure of " + operation, f.Errno);
                }

                _failures[operation] = (f.Remaining - 1, f.Errno);
            }
        }
    }

    private void RefreshPoolFiles()
    {
        foreach (var pool in _pools)
        {
            string dir = $"hugepages-{pool.PageSize / 1024}kB";
            long total = 0, free = 0;
            for (int s = 0; s < SocketCount; s++)
            {
                long nr = s < pool.PagesPerSocket.Count ? pool.PagesPerSocket[s] : 0;
                long fr = _free[(pool.PageSize, s)];
                total += nr;
                free += fr;
                string node = Path.Combine(SysfsRoot, "devices", "system", "node", $"node{s}", "hugepages", dir);
                _files[Path.Combine(node, "nr_hugepages")] = nr.ToString(CultureInfo.InvariantCulture) + "\n";
                _files[Path.Combine(node, "free_hugepages")] = fr.ToString(CultureInfo.InvariantCulture) + "\n";
            }

            string global = Path.Combine(SysfsRoot, "kernel", "mm", "hugepages", dir);
            _files[Path.Combine(global, "nr_hugepages")] = total.ToString(CultureInfo.InvariantCulture) + "\n";
            _files[Path.Combine(global, "free_hugepages")] = free.ToString(CultureInfo.InvariantCulture) + "\n";
        }
    }
}

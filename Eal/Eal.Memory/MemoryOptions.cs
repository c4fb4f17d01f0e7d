using Eal.Bus;

namespace Eal.Memory;

/// <summary>How hugepage files are unlinked (<c>--huge-unlink[=existing|always|never]</c>).</summary>
public enum HugeUnlinkMode
{
    /// <summary>Remove files left by a previous run before creating them; keep the files this run creates (default).</summary>
    Existing,

    /// <summary>Unlink every file right after mapping it (no file stays visible in the hugetlbfs mount).</summary>
    Always,

    /// <summary>Never unlink: reuse existing files and keep them (their content survives restarts).</summary>
    Never,
}

/// <summary>
/// Settings of one memory subsystem (one EAL instance). The EAL maps its parsed arguments onto it; every field
/// names the EAL option it stands for. Call <see cref="Validate"/> (done by <see cref="MemorySubsystem.Create"/>).
/// </summary>
public sealed class MemoryOptions
{
    /// <summary>Memory in MiB used when <c>--no-huge</c> is given without <c>-m</c> (DPDK's <c>MEMSIZE_IF_NO_HUGE_PAGE</c>).</summary>
    public const ulong DefaultNoHugeMemoryMb = 64;

    /// <summary><c>--no-huge</c>: anonymous memory of normal pages instead of hugepages (implies legacy memory).</summary>
    public bool NoHuge { get; set; }

    /// <summary><c>--huge-dir</c>: the hugetlbfs mount point to use; null picks the mount of each page size.</summary>
    public string? HugeDir { get; set; }

    /// <summary><c>--huge-unlink</c> mode.</summary>
    public HugeUnlinkMode HugeUnlink { get; set; } = HugeUnlinkMode.Existing;

    /// <summary><c>--in-memory</c>: no files at all (hugepages with <c>MAP_HUGETLB</c>), no shared configuration.</summary>
    public bool InMemory { get; set; }

    /// <summary><c>--single-file-segments</c>: one hugepage file per memseg list instead of one per page.</summary>
    public bool SingleFileSegments { get; set; }

    /// <summary><c>--legacy-mem</c>: back everything at start, never grow or shrink.</summary>
    public bool LegacyMem { get; set; }

    /// <summary><c>--match-allocations</c>: give hugepages back exactly in the chunks they were allocated in.</summary>
    public bool MatchAllocations { get; set; }

    /// <summary><c>-m</c>: MiB to preallocate (spread over sockets that have hugepages); null when not given.</summary>
    public ulong? MemoryMb { get; set; }

    /// <summary><c>--socket-mem</c>: MiB to preallocate per socket (index = socket); null when not given.</summary>
    public IReadOnlyList<ulong>? SocketMemMb { get; set; }

    /// <summary><c>--socket-limit</c>: upper bound of memory per socket in MiB (0 = no limit); null when not given.</summary>
    public IReadOnlyList<ulong>? SocketLimitMb { get; set; }

    /// <summary><c>--base-virtaddr</c>: where to place the memseg lists (0 = let the OS choose).</summary>
    public ulong BaseVirtAddr { get; set; }

    /// <summary><c>--file-prefix</c>: prefix of hugepage file names (<c>&lt;prefix&gt;map_&lt;n&gt;</c>).</summary>
    public string FilePrefix { get; set; } = "rte";

    /// <summary>
    /// <c>--iova-mode</c> after the EAL decided it: <see cref="IovaMode.VA"/> or <see cref="IovaMode.PA"/>;
    /// <see cref="IovaMode.DontCare"/> lets <see cref="IovaModeSelector"/> decide.
    /// </summary>
    public IovaMode IovaMode { get; set; } = IovaMode.DontCare;

    /// <summary>Largest memseg list in MiB (address space reserved per page size and socket). DPDK uses 32 GiB.</summary>
    public ulong MaxListMemoryMb { get; set; } = 32768;

    /// <summary>Throws <see cref="MemoryException"/> naming the conflicting options when the combination is invalid.</summary>
    public void Validate()
    {
        static void Conflict(bool both, string a, string b)
        {
            if (both)
            {
                throw new MemoryException($"Options {a} and {b} cannot be used together; drop one of them.");
            }
        }

        bool explicitUnlink = HugeUnlink != HugeUnlinkMode.Existing;
        string unlink = "--huge-unlink=" + HugeUnlink.ToString().ToLowerInvariant();
        Conflict(NoHuge && explicitUnlink, "--no-huge", unlink);
        Conflict(NoHuge && SingleFileSegments, "--no-huge", "--single-file-segments");
        Conflict(NoHuge && MatchAllocations, "--no-huge", "--match-allocations");
        Conflict(NoHuge && HugeDir != null, "--no-huge", "--huge-dir");
        Conflict(InMemory && explicitUnlink, "--in-memory", unlink);
        Conflict(LegacyMem && InMemory, "--legacy-mem", "--in-memory");
        Conflict(LegacyMem && MatchAllocations, "--legacy-mem", "--match-allocations");
        Conflict(SingleFileSegments && HugeUnlink == HugeUnlinkMode.Always, "--single-file-segments", unlink);
        Conflict(MemoryMb != null && SocketMemMb != null, "-m", "--socket-mem");
        Conflict(SocketLimitMb != null && (LegacyMem || NoHuge), "--socket-limit", NoHuge ? "--no-huge" : "--legacy-mem");
        if (NoHuge && SocketMemMb != null && SocketMemMb.Skip(1).Any(m => m != 0))
        {
            throw new MemoryException("--socket-mem asks memory on sockets other than 0 but --no-huge memory is on socket 0 only; use -m instead.");
        }

        if (MemoryMb == 0)
        {
            throw new MemoryException("-m 0 is invalid: give the memory size in MiB (for example -m 256).");
        }

        if (FilePrefix.Length == 0 || FilePrefix.Contains('/', StringComparison.Ordinal))
        {
            throw new MemoryException($"--file-prefix '{FilePrefix}' is invalid: it must be non-empty and contain no '/'.");
        }

        if (SocketLimitMb != null && SocketMemMb != null)
        {
            for (int s = 0; s < SocketMemMb.Count && s < SocketLimitMb.Count; s++)
            {
                if (SocketLimitMb[s] != 0 && SocketMemMb[s] > SocketLimitMb[s])
                {
                    throw new MemoryException(
                        $"--socket-mem asks {SocketMemMb[s]} MiB on socket {s}, more than its --socket-limit of {SocketLimitMb[s]} MiB; raise the limit or lower --socket-mem.");
                }
            }
        }

        if (IovaMode == IovaMode.PA && NoHuge)
        {
            throw new MemoryException(
                "--iova-mode=pa cannot be used with --no-huge: physical addresses of normal pages are not stable; drop --no-huge or use --iova-mode=va.");
        }
    }
}

/// <summary>A memory configuration or allocation error; the message says what failed and what to do.</summary>
public sealed class MemoryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MemoryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

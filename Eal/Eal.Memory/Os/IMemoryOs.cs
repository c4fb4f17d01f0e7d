namespace Eal.Memory.Os;

/// <summary>
/// What the memory subsystem needs from the kernel. <see cref="LinuxMemoryOs"/> talks to Linux;
/// <see cref="EmulatedMemoryOs"/> emulates hugepage pools, hugetlbfs mounts and pagemap answers with
/// ordinary memory so every path can be tested anywhere. All failures throw <see cref="MemoryOsException"/>.
/// </summary>
public interface IMemoryOs
{
    /// <summary>Root of sysfs (<c>/sys</c> on a real machine).</summary>
    string SysfsRoot { get; }

    /// <summary>Root of procfs (<c>/proc</c> on a real machine).</summary>
    string ProcRoot { get; }

    /// <summary>The normal page size (4 KiB on x86).</summary>
    nuint SystemPageSize { get; }

    /// <summary>Reads a whole text file (sysfs, procfs), or returns null when it does not exist.</summary>
    string? ReadText(string path);

    /// <summary>Lists the names of the entries of a directory, or returns an empty list when it does not exist.</summary>
    IReadOnlyList<string> ListDirectory(string path);

    /// <summary>
    /// Reserves <paramref name="length"/> bytes of inaccessible address space aligned to <paramref name="alignment"/>,
    /// at <paramref name="hint"/> when it is non-zero and free (otherwise anywhere).
    /// </summary>
    nint ReserveAddressSpace(nint hint, nuint length, nuint alignment);

    /// <summary>Returns address space (reserved or backed) to the OS.</summary>
    void Unmap(nint address, nuint length);

    /// <summary>Replaces backed memory by inaccessible reserved address space (releases the pages, keeps the range).</summary>
    void Unback(nint address, nuint length);

    /// <summary>
    /// Backs a reserved range with anonymous memory, populated. <paramref name="hugePageSize"/> 0 means normal pages,
    /// otherwise <c>MAP_HUGETLB</c> pages of that size. A bound <paramref name="placement"/> applies its policy to the
    /// range (<c>mbind</c>) before the pages are faulted in, so they come from its node; when the node cannot supply them
    /// the call fails (and leaves the range reserved, not backed).
    /// </summary>
    void MapAnonymous(nint address, nuint length, nuint hugePageSize, NumaPlacement placement);

    /// <summary>Opens (creating when needed) a file on a hugetlbfs mount; returns a descriptor.</summary>
    int OpenHugepageFile(string path);

    /// <summary>
    /// Makes room for <paramref name="length"/> bytes at <paramref name="offset"/> of a hugepage file (takes pages from the
    /// pool); a bound <paramref name="placement"/> is the calling thread's memory policy for the call
    /// (<c>set_mempolicy</c>, restored afterwards), which is what the kernel uses to pick the pages' node.
    /// </summary>
    void Allocate(int fd, string path, long offset, long length, NumaPlacement placement);

    /// <summary>Releases the pages of a range of a hugepage file (punches a hole).</summary>
    void Deallocate(int fd, string path, long offset, long length);

    /// <summary>
    /// Maps a range of a hugepage file shared at a fixed reserved address, populated; a bound
    /// <paramref name="placement"/> is applied to the mapping (<c>mbind</c>) as by <see cref="MapAnonymous"/>.
    /// </summary>
    void MapFile(nint address, nuint length, int fd, string path, long offset, NumaPlacement placement);

    /// <summary>Closes a descriptor returned by <see cref="OpenHugepageFile"/>.</summary>
    void Close(int fd);

    /// <summary>True when the file exists.</summary>
    bool FileExists(string path);

    /// <summary>Removes a file; a missing file is not an error.</summary>
    void Unlink(string path);

    /// <summary>
    /// The physical address of the byte at <paramref name="virtualAddress"/> (from <c>/proc/self/pagemap</c>),
    /// or null when physical addresses are unavailable (not root, page not present).
    /// </summary>
    ulong? VirtualToPhysical(nint virtualAddress);

    /// <summary>
    /// The NUMA node of the backed page at <paramref name="address"/> (<c>get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR)</c>),
    /// or null when the kernel cannot tell (no NUMA support).
    /// </summary>
    int? NodeOf(nint address);
}

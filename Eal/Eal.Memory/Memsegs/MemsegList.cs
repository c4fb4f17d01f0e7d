using System.Globalization;

namespace Eal.Memory.Memsegs;

/// <summary>How the pages of a memseg list are backed.</summary>
public enum MemsegBacking
{
    /// <summary>Anonymous normal pages (<c>--no-huge</c>).</summary>
    Anonymous,

    /// <summary>Anonymous hugepages with <c>MAP_HUGETLB</c> (<c>--in-memory</c>).</summary>
    AnonymousHugepages,

    /// <summary>One hugetlbfs file per page.</summary>
    FilePerPage,

    /// <summary>One hugetlbfs file per list (<c>--single-file-segments</c>).</summary>
    SingleFile,

    /// <summary>External memory registered by the application.</summary>
    External,
}

/// <summary>One memory segment (one page) of a <see cref="MemsegList"/>.</summary>
/// <param name="Address">Virtual address of the page.</param>
/// <param name="Iova">IOVA of the page, <see cref="MemorySubsystem.BadIova"/> when unknown or not backed.</param>
/// <param name="Length">Page size.</param>
/// <param name="Socket">NUMA socket.</param>
/// <param name="IsBacked">True when memory is behind the page.</param>
public readonly record struct Memseg(nint Address, ulong Iova, nuint Length, int Socket, bool IsBacked);

/// <summary>
/// A range of virtual address space reserved up front for pages of one size on one socket
/// (DPDK's <c>memseg-&lt;pagesz_kB&gt;k-&lt;socket&gt;-&lt;idx&gt;</c>), backed page by page on demand.
/// </summary>
public sealed class MemsegList
{
    /// <summary>Most pages in one list (DPDK's <c>RTE_MAX_MEMSEG_PER_LIST</c>); also spaces hugepage file numbers.</summary>
    public const int MaxSegmentsPerFileNumbering = 8192;

    private readonly ulong[] _iova;
    private readonly byte[] _state;

    internal MemsegList(int index, string name, nuint pageSize, int socket, nint baseAddress, int capacity, MemsegBacking backing, string? hugeDir)
    {
        Index = index;
        Name = name;
        PageSize = pageSize;
        Socket = socket;
        BaseAddress = baseAddress;
        Capacity = capacity;
        Backing = backing;
        HugeDir = hugeDir;
        _iova = new ulong[capacity];
        Array.Fill(_iova, MemorySubsystem.BadIova);
        _state = new byte[capacity];
    }

    /// <summary>Index among the lists of the subsystem.</summary>
    public int Index { get; }

    /// <summary>Name, e.g. <c>memseg-2048k-0-0</c>.</summary>
    public string Name { get; }

    /// <summary>Page size in bytes.</summary>
    public nuint PageSize { get; }

    /// <summary>NUMA socket of every page.</summary>
    public int Socket { get; }

    /// <summary>First byte of the reserved range.</summary>
    public nint BaseAddress { get; }

    /// <summary>Number of pages the range holds.</summary>
    public int Capacity { get; }

    /// <summary>Bytes of address space reserved.</summary>
    public nuint Length => PageSize * (nuint)Capacity;

    /// <summary>How pages are backed.</summary>
    public MemsegBacking Backing { get; }

    /// <summary>True for external memory (<see cref="MemorySubsystem.RegisterExternalMemory"/>).</summary>
    public bool IsExternal => Backing == MemsegBacking.External;

    /// <summary>Number of backed pages.</summary>
    public int BackedCount { get; private set; }

    /// <summary>Backed bytes.</summary>
    public nuint BackedBytes => PageSize * (nuint)BackedCount;

    internal string? HugeDir { get; }

    internal int SingleFileDescriptor { get; set; } = -1;

    internal bool Unmapped { get; set; }

    /// <summary>True when <paramref name="address"/> falls in the reserved range.</summary>
    public bool Contains(nint address) => (nuint)(address - BaseAddress) < Length;

    /// <summary>The page at <paramref name="index"/>.</summary>
    public Memseg this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
            return new Memseg(AddressOf(index), _iova[index], PageSize, Socket, _state[index] != 0);
        }
    }

    /// <summary>True when the page at <paramref name="index"/> is backed.</summary>
    public bool IsBacked(int index) => _state[index] != 0;

    /// <summary>
    /// The highest page boundary inside [<paramref name="address"/>, <paramref name="address"/> + <paramref name="length"/>)
    /// where the IOVA does not continue from the page before (a hole in IOVA space), or 0 when the range is IOVA-contiguous.
    /// </summary>
    internal nint LastIovaBreak(nint address, nuint length)
    {
        int first = IndexOf(address);
        int last = IndexOf(address + (nint)length - 1);
        for (int i = last; i > first; i--)
        {
            if (_iova[i] != _iova[i - 1] + PageSize)
            {
                return AddressOf(i);
            }
        }

        return 0;
    }

    /// <summary>The IOVA of <paramref name="address"/>, or <see cref="MemorySubsystem.BadIova"/> when outside or not backed.</summary>
    public ulong IovaOf(nint address)
    {
        if (!Contains(address))
        {
            return MemorySubsystem.BadIova;
        }

        nuint offset = (nuint)(address - BaseAddress);
        ulong iova = _iova[(int)(offset / PageSize)];
        return iova == MemorySubsystem.BadIova ? iova : iova + (offset % PageSize);
    }

    /// <summary>Describes the list for dumps.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: 0x{(nuint)BaseAddress:x}-0x{(nuint)BaseAddress + Length:x} page {PageSize / 1024} kB socket {Socket} backed {BackedCount}/{Capacity}");

    internal nint AddressOf(int index) => BaseAddress + (nint)(PageSize * (nuint)index);

    internal int IndexOf(nint address) => (int)((nuint)(address - BaseAddress) / PageSize);

    internal bool IsPinned(int index) => _state[index] == 2;

    internal void SetBacked(int index, ulong iova, bool pinned)
    {
        if (_state[index] == 0)
        {
            BackedCount++;
        }

        _iova[index] = iova;
        _state[index] = pinned ? (byte)2 : (byte)1;
    }

    internal void SetFree(int index)
    {
        if (_state[index] != 0)
        {
            BackedCount--;
        }

        _iova[index] = MemorySubsystem.BadIova;
        _state[index] = 0;
    }

    /// <summary>First index of <paramref name="count"/> consecutive free pages, or -1.</summary>
    internal int FindFreeRun(int count)
    {
        int run = 0;
        for (int i = 0; i < Capacity; i++)
        {
            run = _state[i] == 0 ? run + 1 : 0;
            if (run == count)
            {
                return i - count + 1;
            }
        }

        return -1;
    }

    internal string FilePath(string prefix, int index) =>
        Path.Combine(HugeDir!, string.Create(CultureInfo.InvariantCulture,
            $"{prefix}map_{(Backing == MemsegBacking.SingleFile ? Index : (Index * MaxSegmentsPerFileNumbering) + index)}"));
}

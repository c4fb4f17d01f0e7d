using System.Globalization;

namespace Eal.Memory.Memzones;

/// <summary>A named, aligned reservation of DMA-able memory (DPDK's <c>rte_memzone</c>).</summary>
public sealed class Memzone : IDmaRegion
{
    private readonly MemorySubsystem _memory;

    internal Memzone(MemorySubsystem memory, string name, nint address, nuint length, int socket, nuint alignment, nuint bound, nuint pageSize, MemzoneFlags flags)
    {
        PageSize = pageSize;
        Flags = flags;
        _memory = memory;
        Name = name;
        Address = address;
        Length = length;
        Socket = socket;
        Alignment = alignment;
        Bound = bound;
    }

    /// <summary>Unique name (at most <see cref="MemzoneAllocator.MaxNameLength"/> characters).</summary>
    public string Name { get; }

    /// <inheritdoc />
    public nint Address { get; }

    /// <inheritdoc />
    public nuint Length { get; }

    /// <inheritdoc />
    public int Socket { get; }

    /// <summary>Alignment of <see cref="Address"/>.</summary>
    public nuint Alignment { get; }

    /// <summary>The zone does not cross a multiple of this (0 = no bound).</summary>
    public nuint Bound { get; }

    /// <summary>Page size of the memory behind the zone (DPDK's <c>hugepage_sz</c>).</summary>
    public nuint PageSize { get; }

    /// <summary>The flags the zone was reserved with.</summary>
    public MemzoneFlags Flags { get; }

    /// <summary>IOVA of the first byte.</summary>
    public ulong Iova => IovaAt(0);

    internal bool Freed { get; set; }

    /// <inheritdoc />
    public ulong IovaAt(nuint offset)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Length);
        return _memory.VirtualToIova(Address + (nint)offset);
    }

    /// <summary>A Span over the zone (its length must fit an int).</summary>
    public unsafe Span<byte> AsSpan() => new((void*)Address, checked((int)Length));

    /// <summary>One line as DPDK's memzone dump prints it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Zone {Name}: addr 0x{(nuint)Address:x} iova 0x{Iova:x} len 0x{Length:x} socket {Socket} align {Alignment} bound {Bound} hugepage_sz {PageSize}");
}

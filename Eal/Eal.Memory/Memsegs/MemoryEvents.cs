namespace Eal.Memory.Memsegs;

/// <summary>What happened to a range of memory.</summary>
public enum MemoryEventType
{
    /// <summary>Pages were backed (or external memory registered); map them for DMA.</summary>
    Alloc,

    /// <summary>Pages are about to be released (or external memory unregistered); unmap them.</summary>
    Free,
}

/// <summary>A memory event: a virtually contiguous range of one memseg list.</summary>
/// <param name="Type">Alloc or free.</param>
/// <param name="Address">First byte.</param>
/// <param name="Length">Bytes (a multiple of the list's page size).</param>
/// <param name="List">The memseg list; <see cref="MemsegList.IovaOf"/> gives the IOVA of every page.</param>
public readonly record struct MemoryEvent(MemoryEventType Type, nint Address, nuint Length, MemsegList List)
{
    /// <summary>IOVA of the first byte (IOVAs are contiguous page by page only in VA mode).</summary>
    public ulong Iova => List.IovaOf(Address);
}

/// <summary>
/// Called on every allocation and release of memory segments. Called with the memory lock held: it must not
/// allocate from the heap. Throwing from an <see cref="MemoryEventType.Alloc"/> event refuses the allocation,
/// which is rolled back (callbacks already told get the matching <see cref="MemoryEventType.Free"/>).
/// </summary>
public delegate void MemoryEventCallback(in MemoryEvent memoryEvent);

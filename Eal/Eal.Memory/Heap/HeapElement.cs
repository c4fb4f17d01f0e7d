using System.Runtime.InteropServices;

namespace Eal.Memory.Heap;

/// <summary>
/// The header in front of every heap element, in the DMA memory itself (64 bytes, one cache line), as DPDK's
/// <c>malloc_elem</c>. Elements of a virtually contiguous run are linked by <see cref="Prev"/>/<see cref="Next"/>;
/// free elements are also on a size-class free list.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct HeapElement
{
    public const uint Magic = 0xE1E40000;
    public const uint StateFree = Magic | 1;
    public const uint StateBusy = Magic | 2;
    public const uint StatePad = Magic | 3;

    /// <summary>Previous element in the run, null at its start.</summary>
    public HeapElement* Prev;

    /// <summary>Next element in the run, null at its end.</summary>
    public HeapElement* Next;

    /// <summary>Free-list links (free elements only).</summary>
    public HeapElement* FreePrev;

    public HeapElement* FreeNext;

    /// <summary>Bytes from this header to the next element.</summary>
    public nuint Size;

    /// <summary>Start and size of the backing chunk this element came from (<c>--match-allocations</c>).</summary>
    public nint OrigStart;

    public nuint OrigSize;

    /// <summary>Free, busy or pad (magic in the high bits catches wild or double frees).</summary>
    public uint State;

    /// <summary>Busy: bytes between this header and the pad header in front of the data. Pad: bytes back to the element.</summary>
    public uint Pad;
}

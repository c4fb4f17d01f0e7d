using Eal.Emulation.Kernel;
using Eal.Memory;
using Eal.Memory.Memsegs;

namespace Eal.Vfio;

/// <summary>
/// Physical memory as the memory subsystem's pagemap sees it, for the emulated kernel's no-IOMMU DMA (a device's
/// DMA address is then a physical address): physical address → the virtual address backing it.
/// </summary>
internal sealed class MemsegPhysicalMemoryMap(MemorySubsystem memory) : IPhysicalMemoryMap
{
    public bool TryGetVirtual(ulong physicalAddress, out nint virtualAddress, out ulong contiguousBytes)
    {
        nint va = 0;
        ulong contiguous = 0;
        memory.ForEachBackedRange((in MemoryEvent e) =>
        {
            if (va != 0) return;
            // IOVA is the physical address here; it is contiguous within one page at least.
            ulong page = e.List.PageSize;
            nuint step = e.List.PageSize;
            for (nuint off = 0; off < e.Length; off += step)
            {
                ulong pa = e.List.IovaOf(e.Address + (nint)off);
                if (physicalAddress >= pa && physicalAddress < pa + page)
                {
                    va = e.Address + (nint)off + (nint)(physicalAddress - pa);
                    contiguous = pa + page - physicalAddress;
                    return;
                }
            }
        });
        virtualAddress = va;
        contiguousBytes = contiguous;
        return va != 0;
    }
}

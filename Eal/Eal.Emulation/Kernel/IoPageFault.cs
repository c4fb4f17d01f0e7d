namespace Eal.Emulation.Kernel;

/// <summary>
/// An I/O page fault the emulated IOMMU recorded: a device reached for an address its domain does not map (or
/// maps without the needed permission). The access touched no memory.
/// </summary>
/// <param name="Device">The PCI address of the device that made the access.</param>
/// <param name="Iova">The first faulting I/O virtual address (the physical address in no-IOMMU mode).</param>
/// <param name="Length">Bytes the access wanted.</param>
/// <param name="Write">True for a device write to memory (DMA to RAM), false for a read.</param>
/// <param name="Reason">Why it faulted: "not mapped", "read-only mapping", "not attached to an IOMMU domain", ...</param>
public sealed record IoPageFault(string Device, ulong Iova, ulong Length, bool Write, string Reason);

/// <summary>
/// Physical memory as the emulated machine's pagemap reports it, for no-IOMMU mode where a device's DMA
/// addresses are physical addresses. The EAL wires this to the same <c>EmulatedPhysicalAddresses</c> instance
/// the memory subsystem reads its IOVAs from.
/// </summary>
public interface IPhysicalMemoryMap
{
    /// <summary>
    /// The virtual address in this process backing <paramref name="physicalAddress"/> and how many bytes from there
    /// are physically contiguous with it; false when no memory is known at that address.
    /// </summary>
    bool TryGetVirtual(ulong physicalAddress, out nint virtualAddress, out ulong contiguousBytes);
}

/// <summary>
/// A simple <see cref="IPhysicalMemoryMap"/>: ranges registered explicitly get consecutive page-aligned physical
/// addresses (tests and examples that have no memory subsystem; the EAL uses the memory subsystem's pagemap).
/// Thread-safe.
/// </summary>
public sealed class PhysicalMemoryRegistry : IPhysicalMemoryMap
{
    private readonly Lock _lock = new();
    private readonly SortedList<ulong, (nint Va, ulong Length)> _byPhysical = [];
    private ulong _next;

    /// <summary>Creates a registry whose first range gets physical address <paramref name="firstPhysicalAddress"/>.</summary>
    public PhysicalMemoryRegistry(ulong firstPhysicalAddress = 0x2_0000_0000) => _next = firstPhysicalAddress;

    /// <summary>Registers [<paramref name="virtualAddress"/>, +<paramref name="length"/>) and returns its physical address.</summary>
    public ulong Register(nint virtualAddress, ulong length)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        lock (_lock)
        {
            ulong pa = _next + (ulong)(virtualAddress & 0xfff);
            _byPhysical.Add(pa, (virtualAddress, length));
            _next = (pa + length + 0xfff) & ~0xfffUL;
            return pa;
        }
    }

    /// <summary>Forgets the range registered at <paramref name="physicalAddress"/>.</summary>
    public bool Unregister(ulong physicalAddress)
    {
        lock (_lock) return _byPhysical.Remove(physicalAddress);
    }

    /// <inheritdoc />
    public bool TryGetVirtual(ulong physicalAddress, out nint virtualAddress, out ulong contiguousBytes)
    {
        lock (_lock)
        {
            // Binary search for the greatest start <= physicalAddress.
            var keys = _byPhysical.Keys;
            int lo = 0, hi = keys.Count - 1, found = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >> 1;
                if (keys[mid] <= physicalAddress) { found = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            if (found >= 0)
            {
                var (va, length) = _byPhysical.Values[found];
                ulong offset = physicalAddress - keys[found];
                if (offset < length)
                {
                    virtualAddress = va + (nint)offset;
                    contiguousBytes = length - offset;
                    return true;
                }
            }
        }
        virtualAddress = 0;
        contiguousBytes = 0;
        return false;
    }
}

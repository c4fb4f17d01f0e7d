namespace Eal.Emulation.Devices;

/// <summary>
/// What a device reaches memory through: the IOMMU domain of the container/IOAS its function is attached to
/// (or, in no-IOMMU mode, physical memory as the emulated pagemap reports it). An access to an IOVA the domain
/// does not map is an I/O page fault: it returns false, touches nothing, and the kernel records the fault.
/// </summary>
public interface IDmaPort
{
    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="iova"/>; false on an I/O page fault.</summary>
    bool TryRead(ulong iova, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/> at <paramref name="iova"/>; false on an I/O page fault.</summary>
    bool TryWrite(ulong iova, ReadOnlySpan<byte> source);
}

/// <summary>Where a device model raises interrupts; the emulated kernel signals the eventfd userspace set with VFIO_DEVICE_SET_IRQS.</summary>
public interface IInterruptSink
{
    /// <summary>Raises vector <paramref name="vector"/> of the VFIO IRQ index <paramref name="irqIndex"/> (0 INTx, 1 MSI, 2 MSI-X, ...).</summary>
    void Raise(int irqIndex, int vector);
}

/// <summary>How one BAR of a device model is exposed through its VFIO region.</summary>
/// <param name="Index">BAR number 0-5.</param>
/// <param name="Size">Size in bytes (power of two); 0 = BAR not implemented.</param>
/// <param name="IsIo">An I/O-port BAR (never mmapable; reached by pread/pwrite).</param>
/// <param name="Is64Bit">A 64-bit memory BAR (uses two BAR registers).</param>
/// <param name="Prefetchable">Prefetchable memory.</param>
/// <param name="MmapAreas">The parts userspace may mmap (VFIO sparse-mmap areas, page aligned); empty = trapped only.
/// One area covering the whole BAR means a plain mmapable region.</param>
public sealed record BarLayout(int Index, ulong Size, bool IsIo, bool Is64Bit, bool Prefetchable, IReadOnlyList<(ulong Offset, ulong Size)> MmapAreas);

/// <summary>
/// An emulated PCI function as the emulated kernel's vfio-pci sees it (the second implementation of the
/// hardware that the driver under test talks to). The emulated kernel serves the device fd from it: config
/// region reads/writes, BAR regions (mmapable parts from <see cref="GetBarMemory"/>, trapped parts through
/// <see cref="ReadBar"/>/<see cref="WriteBar"/>), IRQ info and triggers, reset. A vendor ships the model of its
/// device next to its driver.
/// </summary>
public interface IPciDeviceModel : IDisposable
{
    /// <summary>The function's address, <c>DDDD:BB:DD.F</c>.</summary>
    string Address { get; }

    /// <summary>Size of config space: 256 (conventional) or 4096 (PCIe).</summary>
    int ConfigSpaceSize { get; }

    /// <summary>Reads config space (any size, any alignment inside <see cref="ConfigSpaceSize"/>).</summary>
    void ReadConfig(int offset, Span<byte> destination);

    /// <summary>Writes config space; read-only bits and BAR sizing follow PCI rules.</summary>
    void WriteConfig(int offset, ReadOnlySpan<byte> source);

    /// <summary>The BARs (implemented ones have a non-zero size).</summary>
    IReadOnlyList<BarLayout> Bars { get; }

    /// <summary>
    /// The backing memory of an mmapable BAR area as a shareable file descriptor (memfd) and its base address in
    /// this process, so the kernel can map it into userspace at the address userspace asks for; null for trapped BARs.
    /// </summary>
    (int MemFd, nint Address)? GetBarMemory(int bar);

    /// <summary>A trapped read of <paramref name="destination"/>.Length bytes (1, 2, 4 or 8 for registers) at <paramref name="offset"/> of <paramref name="bar"/>.</summary>
    void ReadBar(int bar, ulong offset, Span<byte> destination);

    /// <summary>A trapped write (doorbells, command registers): the model reacts (starts DMA, raises an IRQ...).</summary>
    void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> source);

    /// <summary>
    /// Size of the function's expansion ROM, served as VFIO region 6 (read-only, never mmapable, as vfio-pci does);
    /// 0 = no ROM (the region then has size 0).
    /// </summary>
    ulong ExpansionRomSize => 0;

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the expansion ROM at <paramref name="offset"/> (inside <see cref="ExpansionRomSize"/>).</summary>
    void ReadRom(ulong offset, Span<byte> destination) => destination.Fill(0xFF);

    /// <summary>Number of vectors per VFIO IRQ index (0 INTx, 1 MSI, 2 MSI-X, 3 ERR, 4 REQ); 0 = not supported.</summary>
    int IrqCount(int irqIndex);

    /// <summary>Whether the function supports a reset (VFIO_DEVICE_FLAGS_RESET).</summary>
    bool CanReset { get; }

    /// <summary>Resets the function to its power-on state (config space, registers, pending DMA cancelled).</summary>
    void Reset();

    /// <summary>Set by the kernel when the function is attached to an IOMMU domain (null when detached).</summary>
    IDmaPort? Dma { get; set; }

    /// <summary>Set by the kernel when userspace opens the device; the model raises interrupts through it.</summary>
    IInterruptSink? Interrupts { get; set; }
}

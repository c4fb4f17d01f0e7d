using System.Buffers.Binary;
using Eal.Platform;
using Eal.Vfio;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Bus.Pci.Vfio;

/// <summary>One BAR of a mapped device: where its mmapable areas are, and the VFIO region for the rest.</summary>
public sealed class PciMappedBar
{
    internal PciMappedBar(int index, VfioRegion region, nint address, IReadOnlyList<(ulong Offset, ulong Size)> mapped)
    {
        Index = index;
        Region = region;
        Address = address;
        MappedAreas = mapped;
    }

    /// <summary>BAR number.</summary>
    public int Index { get; }

    /// <summary>The VFIO region of the BAR.</summary>
    public VfioRegion Region { get; }

    /// <summary>Size in bytes.</summary>
    public ulong Size => Region.Size;

    /// <summary>Start of the virtual range reserved for the whole BAR (the mapped areas sit at their offsets in it); 0 when nothing is mapped.</summary>
    public nint Address { get; }

    /// <summary>The areas mmapped into the reserved range; everything else is trapped (reached by pread/pwrite).</summary>
    public IReadOnlyList<(ulong Offset, ulong Size)> MappedAreas { get; }

    /// <summary>Whether [<paramref name="offset"/>, +<paramref name="length"/>) lies in one mapped area.</summary>
    public bool IsMapped(ulong offset, ulong length)
    {
        foreach (var (o, s) in MappedAreas)
            if (offset >= o && offset + length <= o + s) return true;
        return false;
    }
}

/// <summary>
/// A PCI device the bus mapped through VFIO (DPDK's <c>mem_resource</c> + <c>intr_handle</c>): the VFIO device, its
/// mode, the BARs, MMIO helpers that use the mapping where there is one and fall back to pread/pwrite on trapped
/// parts, and the interrupt eventfd prepared per <c>--vfio-intr</c>.
/// </summary>
public sealed unsafe class PciMappedDevice
{
    private readonly IKernel _kernel;
    private readonly PciMappedBar?[] _bars;
    private bool _interruptsEnabled;

    internal PciMappedDevice(IKernel kernel, VfioDevice device, PciMappedBar?[] bars, bool wasReset)
    {
        _kernel = kernel;
        Vfio = device;
        _bars = bars;
        WasReset = wasReset;
    }

    /// <summary>The VFIO device (region, IRQ and config access).</summary>
    public VfioDevice Vfio { get; }

    /// <summary>The VFIO mode the device was opened in.</summary>
    public VfioMode Mode => Vfio.Mode;

    /// <summary>Whether the bus reset the device before mapping it.</summary>
    public bool WasReset { get; }

    /// <summary>BARs 0..5 (null where the BAR is not implemented).</summary>
    public IReadOnlyList<PciMappedBar?> Bars => _bars;

    /// <summary>The VFIO IRQ index prepared (0 INTx, 1 MSI, 2 MSI-X), or -1 when none.</summary>
    public int InterruptIndex { get; internal set; } = -1;

    /// <summary>The eventfd vector 0 of <see cref="InterruptIndex"/> signals, or -1.</summary>
    public int InterruptEventFd { get; internal set; } = -1;

    /// <summary>The bits of the command register the bus set (memory decoding, bus mastering) and clears again on unmap.</summary>
    internal ushort CommandBitsSet { get; set; }

    /// <summary>The mapped BAR <paramref name="bar"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an implemented BAR of this device.</exception>
    public PciMappedBar Bar(int bar) =>
        (uint)bar < (uint)_bars.Length && _bars[bar] is { } b
            ? b
            : throw new ArgumentOutOfRangeException(nameof(bar), $"{Vfio.Address}: BAR{bar} is not implemented");

    /// <summary>Reads a 32-bit register (MMIO when mapped, else pread).</summary>
    public uint Read32(int bar, ulong offset)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, 4)) return Volatile.Read(ref *(uint*)(b.Address + (nint)offset));
        Span<byte> v = stackalloc byte[4];
        Vfio.ReadRegion(b.Region, offset, v);
        return BinaryPrimitives.ReadUInt32LittleEndian(v);
    }

    /// <summary>Writes a 32-bit register (MMIO when mapped, else pwrite).</summary>
    public void Write32(int bar, ulong offset, uint value)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, 4))
        {
            Volatile.Write(ref *(uint*)(b.Address + (nint)offset), value);
            return;
        }
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(v, value);
        Vfio.WriteRegion(b.Region, offset, v);
    }

    /// <summary>Reads a 64-bit register (MMIO when mapped, else pread).</summary>
    public ulong Read64(int bar, ulong offset)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, 8)) return Volatile.Read(ref *(ulong*)(b.Address + (nint)offset));
        Span<byte> v = stackalloc byte[8];
        Vfio.ReadRegion(b.Region, offset, v);
        return BinaryPrimitives.ReadUInt64LittleEndian(v);
    }

    /// <summary>Writes a 64-bit register (MMIO when mapped, else pwrite).</summary>
    public void Write64(int bar, ulong offset, ulong value)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, 8))
        {
            Volatile.Write(ref *(ulong*)(b.Address + (nint)offset), value);
            return;
        }
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(v, value);
        Vfio.WriteRegion(b.Region, offset, v);
    }

    /// <summary>Copies bytes out of a BAR (memory copy when mapped, else pread).</summary>
    public void Read(int bar, ulong offset, Span<byte> destination)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, (ulong)destination.Length)) new ReadOnlySpan<byte>((void*)(b.Address + (nint)offset), destination.Length).CopyTo(destination);
        else Vfio.ReadRegion(b.Region, offset, destination);
    }

    /// <summary>Copies bytes into a BAR (memory copy when mapped, else pwrite).</summary>
    public void Write(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        var b = Bar(bar);
        if (b.IsMapped(offset, (ulong)source.Length)) source.CopyTo(new Span<byte>((void*)(b.Address + (nint)offset), source.Length));
        else Vfio.WriteRegion(b.Region, offset, source);
    }

    /// <summary>
    /// Enables the prepared interrupt: vector 0 of <see cref="InterruptIndex"/> signals <see cref="InterruptEventFd"/>
    /// (<c>VFIO_DEVICE_SET_IRQS</c>; DPDK's <c>rte_intr_enable</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No interrupt was prepared (<c>--vfio-intr</c> none or the device has none).</exception>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public void EnableInterrupts()
    {
        if (InterruptIndex < 0)
            throw new InvalidOperationException($"{Vfio.Address}: no interrupt was prepared; the device has none, or --vfio-intr asked for a kind it lacks");
        if (_interruptsEnabled) return;
        Vfio.SetIrqEventFds((uint)InterruptIndex, 0, [InterruptEventFd]);
        _interruptsEnabled = true;
        if (InterruptIndex is 1 or 2) EnsureMessageEnable(InterruptIndex == 2);
    }

    // Linux's PCI core sets the MSI/MSI-X enable bit when vfio-pci allocates the vectors, and the config region then
    // reads it back set. A kernel that leaves the bit to the device (the emulated one) gets it set here; on Linux this
    // write never happens because the bit already reads set.
    private void EnsureMessageEnable(bool msix)
    {
        Span<byte> config = stackalloc byte[256];
        Vfio.ReadConfig(0, config);
        int cap = FindCapability(config, msix ? (byte)0x11 : (byte)0x05);
        if (cap == 0) return;
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(config[(cap + 2)..]);
        ushort enable = msix ? (ushort)0x8000 : (ushort)0x0001;
        if ((control & enable) != 0) return;
        Span<byte> v = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(v, (ushort)(control | enable));
        Vfio.WriteConfig(cap + 2, v);
    }

    /// <summary>Disables the interrupt again (no-op when not enabled).</summary>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public void DisableInterrupts()
    {
        if (!_interruptsEnabled) return;
        _interruptsEnabled = false;
        Vfio.DisableIrqs((uint)InterruptIndex);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for the interrupt and consumes it (reads the eventfd counter;
    /// INTx is unmasked again, as vfio-pci masks it when it fires). Returns the number of interrupts counted, 0 on timeout.
    /// </summary>
    /// <exception cref="InvalidOperationException">Interrupts are not enabled.</exception>
    /// <exception cref="IOException">poll or read on the eventfd failed; the message names the errno.</exception>
    public ulong WaitForInterrupt(int timeoutMilliseconds)
    {
        if (!_interruptsEnabled)
            throw new InvalidOperationException($"{Vfio.Address}: interrupts are not enabled; call EnableInterrupts first");
        int r = _kernel.Poll(InterruptEventFd, LibC.PollIn, timeoutMilliseconds);
        if (r < 0) throw new IOException($"{Vfio.Address}: poll on the interrupt eventfd {InterruptEventFd} failed: {Errno.Name(-r)}");
        if (r == 0) return 0;
        ulong count;
        nint n = _kernel.Read(InterruptEventFd, &count, sizeof(ulong));
        if (n == -Errno.EAGAIN) return 0;
        if (n != sizeof(ulong)) throw new IOException($"{Vfio.Address}: read of the interrupt eventfd {InterruptEventFd} failed: {(n < 0 ? Errno.Name((int)-n) : $"short read of {n} bytes")}");
        if (InterruptIndex == 0) Vfio.UnmaskIrqs(0, 0, 1);
        return count;
    }

    internal static int FindCapability(ReadOnlySpan<byte> config, byte id)
    {
        if ((config[0x06] & 0x10) == 0) return 0;
        int at = config[0x34] & ~3;
        for (int hops = 0; at >= 0x40 && at < 0xFF && hops < 48; hops++)
        {
            if (config[at] == id) return at;
            at = config[at + 1] & ~3;
        }
        return 0;
    }
}

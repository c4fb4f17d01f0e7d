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
    // Eventfds of vectors 1..n-1 when several are enabled (vector 0 signals InterruptEventFd, which the bus owns).
    private int[] _extraVectorFds = [];
    private VfioRegion? _rom;

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

    /// <summary>The bits of the command register the bus set (memory and I/O decoding, bus mastering) and clears again on unmap.</summary>
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

    /// <summary>The vectors enabled by <see cref="EnableInterrupts(int)"/> (0 while interrupts are off).</summary>
    public int InterruptVectors { get; private set; }

    /// <summary>How many vectors the prepared interrupt offers (<c>VFIO_DEVICE_GET_IRQ_INFO</c> count), 0 when none was prepared.</summary>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public int AvailableInterruptVectors => InterruptIndex < 0 ? 0 : (int)Vfio.GetIrqInfo((uint)InterruptIndex).Count;

    /// <summary>
    /// Enables the prepared interrupt: vector 0 of <see cref="InterruptIndex"/> signals <see cref="InterruptEventFd"/>
    /// (<c>VFIO_DEVICE_SET_IRQS</c>; DPDK's <c>rte_intr_enable</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No interrupt was prepared (<c>--vfio-intr</c> none or the device has none).</exception>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public void EnableInterrupts() => EnableInterrupts(1);

    /// <summary>
    /// Enables vectors 0..<paramref name="vectors"/>-1 of the prepared interrupt, each signalling an eventfd of its own
    /// (<see cref="InterruptEventFd"/> for vector 0; see <see cref="WaitForInterrupt(int, int)"/>), in one
    /// <c>VFIO_DEVICE_SET_IRQS</c> (DPDK's <c>rte_intr_efd_enable</c> + <c>rte_intr_enable</c> for MSI-X queues).
    /// Already enabled with as many vectors: nothing happens.
    /// </summary>
    /// <exception cref="InvalidOperationException">No interrupt was prepared, or interrupts are enabled with another vector count.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vectors"/> is not in 1..<see cref="AvailableInterruptVectors"/>.</exception>
    /// <exception cref="IOException">An eventfd could not be created.</exception>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public void EnableInterrupts(int vectors)
    {
        if (InterruptIndex < 0)
            throw new InvalidOperationException($"{Vfio.Address}: no interrupt was prepared; the device has none, or --vfio-intr asked for a kind it lacks");
        if (_interruptsEnabled)
        {
            if (vectors == InterruptVectors) return;
            throw new InvalidOperationException($"{Vfio.Address}: interrupts are enabled with {InterruptVectors} vector(s); call DisableInterrupts before enabling {vectors}");
        }
        int available = AvailableInterruptVectors;
        if (vectors < 1 || vectors > available)
            throw new ArgumentOutOfRangeException(nameof(vectors), vectors, $"{Vfio.Address}: IRQ index {InterruptIndex} offers {available} vector(s); ask for 1..{available}");
        var fds = new int[vectors];
        fds[0] = InterruptEventFd;
        int created = 1;
        try
        {
            for (; created < vectors; created++)
            {
                int fd = _kernel.EventFd(0, LibC.EventFdNonBlock | LibC.EventFdCloseOnExec);
                if (fd < 0) throw new IOException($"{Vfio.Address}: eventfd for interrupt vector {created} failed: {Errno.Name(-fd)}; check the open-files limit (ulimit -n)");
                fds[created] = fd;
            }
            Vfio.SetIrqEventFds((uint)InterruptIndex, 0, fds);
        }
        catch
        {
            for (int i = 1; i < created; i++) _kernel.Close(fds[i]);
            throw;
        }
        _extraVectorFds = fds[1..];
        InterruptVectors = vectors;
        _interruptsEnabled = true;
    }

    /// <summary>Disables the interrupt again (no-op when not enabled).</summary>
    /// <exception cref="VfioException">The kernel refused.</exception>
    public void DisableInterrupts()
    {
        if (!_interruptsEnabled) return;
        _interruptsEnabled = false;
        InterruptVectors = 0;
        var extra = _extraVectorFds;
        _extraVectorFds = [];
        try
        {
            Vfio.DisableIrqs((uint)InterruptIndex);
        }
        finally
        {
            // The kernel dropped (or will drop with the device fd) its references; ours go now either way.
            foreach (int fd in extra) _kernel.Close(fd);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> for the interrupt and consumes it (reads the eventfd counter;
    /// INTx is unmasked again, as vfio-pci masks it when it fires). Returns the number of interrupts counted, 0 on timeout.
    /// </summary>
    /// <exception cref="InvalidOperationException">Interrupts are not enabled.</exception>
    /// <exception cref="IOException">poll or read on the eventfd failed; the message names the errno.</exception>
    public ulong WaitForInterrupt(int timeoutMilliseconds) => WaitForInterrupt(0, timeoutMilliseconds);

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/> (0 = just look) for vector <paramref name="vector"/> and
    /// consumes what it counted; returns the count, 0 when it did not fire.
    /// </summary>
    /// <exception cref="InvalidOperationException">Interrupts are not enabled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vector"/> is not one of the enabled vectors.</exception>
    /// <exception cref="IOException">poll or read on the eventfd failed; the message names the errno.</exception>
    public ulong WaitForInterrupt(int vector, int timeoutMilliseconds)
    {
        if (!_interruptsEnabled)
            throw new InvalidOperationException($"{Vfio.Address}: interrupts are not enabled; call EnableInterrupts first");
        if (vector < 0 || vector >= InterruptVectors)
            throw new ArgumentOutOfRangeException(nameof(vector), vector, $"{Vfio.Address}: vector {vector} is not enabled; {InterruptVectors} vector(s) are (0..{InterruptVectors - 1})");
        int fd = vector == 0 ? InterruptEventFd : _extraVectorFds[vector - 1];
        int r = _kernel.Poll(fd, LibC.PollIn, timeoutMilliseconds);
        if (r < 0) throw new IOException($"{Vfio.Address}: poll on the eventfd {fd} of interrupt vector {vector} failed: {Errno.Name(-r)}");
        if (r == 0) return 0;
        ulong count;
        nint n = _kernel.Read(fd, &count, sizeof(ulong));
        if (n == -Errno.EAGAIN) return 0;
        if (n != sizeof(ulong)) throw new IOException($"{Vfio.Address}: read of the eventfd {fd} of interrupt vector {vector} failed: {(n < 0 ? Errno.Name((int)-n) : $"short read of {n} bytes")}");
        if (InterruptIndex == 0) Vfio.UnmaskIrqs(0, 0, 1);
        return count;
    }

    /// <summary>Size of the expansion ROM region (VFIO region 6), 0 when the device has none.</summary>
    /// <exception cref="VfioException">The kernel refused the region query.</exception>
    public ulong RomSize => Rom().Size;

    /// <summary>Reads the expansion ROM (VFIO region 6, read-only, reached by pread only).</summary>
    /// <exception cref="InvalidOperationException">The device exposes no ROM.</exception>
    /// <exception cref="VfioException">The read failed or leaves the ROM.</exception>
    public void ReadRom(ulong offset, Span<byte> destination)
    {
        var rom = Rom();
        if (rom.Size == 0 || !rom.CanRead)
            throw new InvalidOperationException($"{Vfio.Address}: the device exposes no readable expansion ROM (VFIO region {VfioConstants.PciRomRegionIndex} is empty); check that the function has a ROM BAR");
        Vfio.ReadRegion(rom, offset, destination);
    }

    private VfioRegion Rom() => _rom ??= Vfio.GetRegionInfo(VfioConstants.PciRomRegionIndex);

    /// <summary>
    /// Resets the function (<c>VFIO_DEVICE_RESET</c>) and brings back what the bus and the driver set up: interrupts are
    /// disabled around the reset and re-enabled with the same vectors and eventfds, and the command bits the bus set
    /// (memory decoding, bus mastering) are set again where the reset cleared them. Returns false, changing nothing,
    /// when the device cannot be reset.
    /// </summary>
    /// <exception cref="VfioException">The kernel refused the reset or a restoring step.</exception>
    public bool Reset()
    {
        if ((Vfio.GetInfo().Flags & VfioConstants.DeviceFlagsReset) == 0) return false;
        int vectors = InterruptVectors;
        DisableInterrupts();
        Vfio.Reset();
        if (CommandBitsSet != 0)
        {
            Span<byte> v = stackalloc byte[2];
            Vfio.ReadConfig(0x04, v);
            ushort command = BinaryPrimitives.ReadUInt16LittleEndian(v);
            if ((command & CommandBitsSet) != CommandBitsSet)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(v, (ushort)(command | CommandBitsSet));
                Vfio.WriteConfig(0x04, v);
            }
        }
        if (vectors > 0) EnableInterrupts(vectors);
        return true;
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

using System.Buffers.Binary;
using Eal.Emulation.Devices;

namespace Eal.Emulation.Kernel;

/// <summary>
/// The device the emulated vfio-pci serves for a function that has no device model: config space built from
/// the <see cref="PciFunctionDescription"/> (ids, class, BARs, capability list), a writable command register and
/// BAR sizing, memory BARs backed by a memfd (mmapable as a whole, like a NIC's register BAR: reads return what
/// was written), I/O BARs reading as zero, MSI-X vectors and INTx/MSI as the description says, and a reset that
/// restores config space and clears BAR memory. It does no DMA.
/// </summary>
public sealed class GenericPciDeviceModel : IPciDeviceModel
{
    private readonly Lock _lock = new();
    private readonly byte[] _initialConfig;
    private readonly byte[] _config;
    private readonly PciFunctionDescription _function;
    private readonly (int Fd, nint Address, ulong Size)?[] _memory = new (int, nint, ulong)?[6];
    private bool _disposed;

    /// <summary>Builds the model of <paramref name="function"/> on <paramref name="machine"/>.</summary>
    /// <exception cref="IOException">A BAR's backing memory could not be created (memfd_create/ftruncate/mmap failed).</exception>
    public GenericPciDeviceModel(PciFunctionDescription function, MachineDescription machine)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(machine);
        _function = function;
        _initialConfig = ConfigSpace.Build(function, machine);
        _config = (byte[])_initialConfig.Clone();
        var bars = new List<BarLayout>();
        try
        {
            foreach (var bar in function.Bars.OrderBy(b => b.Index))
            {
                if (bar.Size == 0) continue;
                bool io = (bar.Flags & PciBarFlags.Io) != 0;
                bool mmapable = !io && bar.Size >= 4096;
                if (mmapable) _memory[bar.Index] = CreateMemory(function.Address, bar.Index, bar.Size);
                bars.Add(new BarLayout(bar.Index, bar.Size, io, (bar.Flags & PciBarFlags.Memory64) != 0,
                    (bar.Flags & PciBarFlags.Prefetchable) != 0, mmapable ? [(0UL, bar.Size)] : []));
            }
        }
        catch
        {
            ReleaseMemory();
            throw;
        }
        Bars = bars;
    }

    /// <inheritdoc />
    public string Address => _function.Address;

    /// <inheritdoc />
    public int ConfigSpaceSize => _config.Length;

    /// <inheritdoc />
    public IReadOnlyList<BarLayout> Bars { get; }

    /// <inheritdoc />
    public bool CanReset => true;

    /// <inheritdoc />
    public IDmaPort? Dma { get; set; }

    /// <inheritdoc />
    public IInterruptSink? Interrupts { get; set; }

    /// <inheritdoc />
    public void ReadConfig(int offset, Span<byte> destination)
    {
        lock (_lock) _config.AsSpan(offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    public void WriteConfig(int offset, ReadOnlySpan<byte> source)
    {
        lock (_lock)
        {
            for (int i = 0; i < source.Length; i++)
            {
                int at = offset + i;
                if (at is 0x04) _config[at] = (byte)(source[i] & 0x07); // I/O, memory, bus master
                else if (at is 0x05) _config[at] = (byte)(source[i] & 0x04); // INTx disable
                else if (at is >= 0x10 and < 0x28) _config[at] = source[i];
            }
            if (offset < 0x28 && offset + source.Length > 0x10) ApplyBarMasks();
        }
    }

    private void ApplyBarMasks()
    {
        // BAR sizing: the address bits below the size read as zero, the type bits are read-only.
        foreach (var bar in _function.Bars)
        {
            int reg = 0x10 + 4 * bar.Index;
            var s = _config.AsSpan();
            uint init = BinaryPrimitives.ReadUInt32LittleEndian(_initialConfig.AsSpan(reg));
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(s[reg..]);
            bool io = (bar.Flags & PciBarFlags.Io) != 0;
            uint typeMask = io ? 0x3u : 0xFu;
            ulong size = bar.Size == 0 ? 0 : bar.Size;
            uint low = (value & ~typeMask & ~(uint)(size - 1)) | (init & typeMask);
            BinaryPrimitives.WriteUInt32LittleEndian(s[reg..], size == 0 ? 0 : low);
            if ((bar.Flags & PciBarFlags.Memory64) != 0 && bar.Index < 5)
            {
                uint high = BinaryPrimitives.ReadUInt32LittleEndian(s[(reg + 4)..]);
                BinaryPrimitives.WriteUInt32LittleEndian(s[(reg + 4)..], high & ~(uint)((size - 1) >> 32));
            }
        }
    }

    /// <inheritdoc />
    public (int MemFd, nint Address)? GetBarMemory(int bar) =>
        bar is >= 0 and < 6 && _memory[bar] is { } m ? (m.Fd, m.Address) : null;

    /// <inheritdoc />
    public unsafe void ReadBar(int bar, ulong offset, Span<byte> destination)
    {
        if (bar is >= 0 and < 6 && _memory[bar] is { } m && offset + (ulong)destination.Length <= m.Size)
            new ReadOnlySpan<byte>((byte*)m.Address + offset, destination.Length).CopyTo(destination);
        else
            destination.Clear();
    }

    /// <inheritdoc />
    public unsafe void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        if (bar is >= 0 and < 6 && _memory[bar] is { } m && offset + (ulong)source.Length <= m.Size)
            source.CopyTo(new Span<byte>((byte*)m.Address + offset, source.Length));
    }

    /// <inheritdoc />
    public int IrqCount(int irqIndex) => irqIndex switch
    {
        0 => 1,
        1 => 1,
        2 => _function.MsixVectors,
        3 => _function.ConfigSpaceSize > 256 ? 1 : 0,
        4 => 1,
        _ => 0,
    };

    /// <inheritdoc />
    public unsafe void Reset()
    {
        lock (_lock)
        {
            _initialConfig.CopyTo(_config, 0);
            foreach (var m in _memory)
                if (m is { } mem) new Span<byte>((void*)mem.Address, (int)Math.Min(mem.Size, int.MaxValue)).Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            ReleaseMemory();
        }
    }

    private void ReleaseMemory()
    {
        for (int i = 0; i < _memory.Length; i++)
        {
            if (_memory[i] is not { } m) continue;
            _ = KernelNative.Munmap(m.Address, (nuint)m.Size);
            _ = Eal.Vfio.Native.LibC.Close(m.Fd);
            _memory[i] = null;
        }
    }

    private static (int, nint, ulong) CreateMemory(string address, int bar, ulong size)
    {
        int fd = KernelNative.MemfdCreate($"emu-{address}-bar{bar}", KernelNative.MfdCloexec);
        if (fd < 0) throw new IOException($"memfd_create for BAR{bar} of {address} failed ({KernelNative.LastError})");
        if (KernelNative.FTruncate(fd, (long)size) != 0)
        {
            int e = KernelNative.LastError;
            _ = Eal.Vfio.Native.LibC.Close(fd);
            throw new IOException($"ftruncate of BAR{bar} memory of {address} to {size} bytes failed ({e})");
        }
        nint at = KernelNative.Mmap(0, (nuint)size, KernelNative.ProtRead | KernelNative.ProtWrite, KernelNative.MapShared, fd, 0);
        if (at == -1)
        {
            int e = KernelNative.LastError;
            _ = Eal.Vfio.Native.LibC.Close(fd);
            throw new IOException($"mmap of BAR{bar} memory of {address} ({size} bytes) failed ({e})");
        }
        return (fd, at, size);
    }
}

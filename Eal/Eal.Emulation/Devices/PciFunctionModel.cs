using System.Buffers.Binary;
using Eal.Emulation.Devices.Native;
using static Eal.Emulation.Devices.PciConfigRegisters;

namespace Eal.Emulation.Devices;

/// <summary>Options of a <see cref="PciFunctionModel"/> beyond what its <see cref="PciFunctionDescription"/> says.</summary>
public sealed class PciFunctionModelOptions
{
    /// <summary>MSI vectors (0 = no MSI capability; else 1, 2, 4, 8, 16 or 32). The capability is 64-bit with per-vector masking.</summary>
    public int MsiVectors { get; init; }

    /// <summary>Whether the function can be reset (function-level reset on PCIe, a power-management reset otherwise).</summary>
    public bool CanReset { get; init; } = true;

    /// <summary>
    /// The mmapable areas per BAR index, replacing the default (the whole memory BAR minus the pages holding the
    /// MSI-X table and PBA; nothing for I/O BARs and BARs smaller than a page). An empty list makes the BAR trapped only.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<(ulong Offset, ulong Size)>>? MmapAreas { get; init; }

    /// <summary>
    /// The machine the function belongs to, so config space matches the one the sysfs tree shows for it (an SR-IOV
    /// PF names its first VF's device id); null = a machine with this function alone.
    /// </summary>
    public MachineDescription? Machine { get; init; }
}

/// <summary>Why a device's DMA did not complete.</summary>
public enum DmaOutcome
{
    /// <summary>The transfer completed.</summary>
    Completed,
    /// <summary>COMMAND.MASTER is clear: the function may not issue DMA, so nothing was transferred.</summary>
    BusMasterDisabled,
    /// <summary>The function is attached to no IOMMU domain (the kernel set no <see cref="IPciDeviceModel.Dma"/> port).</summary>
    NoDomain,
    /// <summary>The IOMMU domain does not map the IOVA (an I/O page fault; the kernel recorded it, nothing was touched).</summary>
    PageFault,
    /// <summary>The device-side range is outside what the device implements (e.g. past its buffer); nothing was transferred.</summary>
    InvalidDeviceRange,
}

/// <summary>
/// An emulated PCI function: configuration space with PCI rules (read-only ids and class, BAR sizing, command
/// register, write-1-to-clear status bits, PM, MSI, MSI-X and PCIe capabilities), BARs backed by a memfd so the
/// emulated kernel can map them into userspace, trapped BAR access that subclasses turn into device behaviour,
/// interrupts routed as the function's configuration says (MSI-X honouring the function and vector masks with
/// pending bits, else MSI when enabled, else INTx unless disabled) and DMA only with bus mastering on.
/// Built from a <see cref="PciFunctionDescription"/>; with no subclass it is a function with no behaviour.
/// Thread-safe: the kernel calls it from application threads while device work runs on timers.
/// </summary>
public class PciFunctionModel : IPciDeviceModel
{
    private const int MaxBars = 6;

    private readonly byte[] _powerOn;
    private readonly byte[] _config;
    private readonly byte[] _writable;
    private readonly byte[] _writeOneToClear;
    private readonly BarLayout[] _bars;
    private readonly PciBarDescription?[] _barDescriptions = new PciBarDescription?[MaxBars];
    private readonly SharedMemoryFile?[] _memory = new SharedMemoryFile?[MaxBars];
    private readonly byte[]?[] _ioSpace = new byte[]?[MaxBars];
    private readonly int _msiCap, _msixCap, _pcieCap, _msiVectors, _msixVectors, _msixBar;
    private readonly ulong _msixTableOffset, _msixPbaOffset;
    private bool _intxAsserted;
    private bool _disposed;
    private volatile IDmaPort? _dma;
    private volatile IInterruptSink? _interrupts;

    /// <summary>Creates the model of <paramref name="description"/>.</summary>
    /// <exception cref="ArgumentException">The description has something a model cannot implement; the message names it.</exception>
    public PciFunctionModel(PciFunctionDescription description, PciFunctionModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        options ??= new PciFunctionModelOptions();
        Description = description;
        Address = description.Address;
        ConfigSpaceSize = description.ConfigSpaceSize;
        CanReset = options.CanReset;
        if (options.MsiVectors is not (0 or 1 or 2 or 4 or 8 or 16 or 32))
            throw new ArgumentException($"{Address}: MSI vectors {options.MsiVectors} is not valid; use 0, 1, 2, 4, 8, 16 or 32", nameof(options));
        if (ConfigSpaceSize is not (256 or 4096))
            throw new ArgumentException($"{Address}: config space size {ConfigSpaceSize}; use 256 or 4096", nameof(description));

        // The config image the sysfs tree shows, so the VFIO config region and /sys/.../config agree.
        _config = ConfigSpace.Build(description, options.Machine ?? new MachineDescription { PciFunctions = [description] });
        _writable = new byte[ConfigSpaceSize];
        _writeOneToClear = new byte[ConfigSpaceSize];
        _msiVectors = options.MsiVectors;
        _msixVectors = description.MsixVectors;
        _msixBar = description.MsixTableBar;
        _msixCap = FindCapability(_config, CapabilityMsix);
        _pcieCap = FindCapability(_config, CapabilityPciExpress);
        if (_msixVectors > 0)
        {
            _msixTableOffset = description.MsixTableOffset & ~7u;
            _msixPbaOffset = (_msixTableOffset + (ulong)(MsixEntrySize * _msixVectors) + 7) & ~7ul;
        }

        Mask16(Command, CommandIo | CommandMemory | CommandMaster | CommandParity | CommandSerr | CommandIntxDisable);
        Rw1c16(Status, StatusWriteOneToClear);
        _writable[CacheLineSize] = 0xFF;
        _writable[LatencyTimer] = 0xFF;
        _writable[InterruptLine] = 0xFF;
        if (_config[InterruptPin] == 0) _config[InterruptPin] = 1;

        _bars = new BarLayout[MaxBars];
        for (int i = 0; i < MaxBars; i++) _bars[i] = new BarLayout(i, 0, false, false, false, []);
        foreach (var b in description.Bars) SetUpBar(b, options);

        if (_msixCap != 0) Mask16(_msixCap + 2, MsixEnable | MsixFunctionMask);
        if (_pcieCap != 0) SetUpPcie();
        if (_msiVectors > 0) _msiCap = AddMsiCapability();
        _powerOn = (byte[])_config.Clone();
    }

    /// <summary>
    /// The model of a function nobody ships a model for (the emulated kernel's and <see cref="PciDeviceModelRegistry"/>'s
    /// fallback): what the description says plus one MSI vector, as the QEMU functions the real-kernel tests use
    /// (edu, e1000e) have, so every VFIO IRQ index a NIC offers can be exercised.
    /// </summary>
    /// <param name="description">The function.</param>
    /// <param name="machine">Its machine (see <see cref="PciFunctionModelOptions.Machine"/>), or null.</param>
    public static PciFunctionModel CreateGeneric(PciFunctionDescription description, MachineDescription? machine = null) =>
        new(description, new PciFunctionModelOptions { MsiVectors = 1, Machine = machine });

    /// <summary>The description the model was built from.</summary>
    public PciFunctionDescription Description { get; }

    /// <inheritdoc />
    public string Address { get; }

    /// <inheritdoc />
    public int ConfigSpaceSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<BarLayout> Bars => _bars;

    /// <inheritdoc />
    public bool CanReset { get; }

    /// <inheritdoc />
    public IDmaPort? Dma
    {
        get => _dma;
        set => _dma = value;
    }

    /// <inheritdoc />
    public IInterruptSink? Interrupts
    {
        get => _interrupts;
        set => _interrupts = value;
    }

    /// <summary>The lock that guards the function's state; subclasses take it for their registers.</summary>
    protected object Gate { get; } = new();

    /// <summary>The command register now.</summary>
    public ushort CommandRegister
    {
        get { lock (Gate) return BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command)); }
    }

    /// <summary>How many times <see cref="Reset"/> ran (function-level resets included).</summary>
    public int ResetCount { get; private set; }

    /// <summary>Offset of the MSI capability in config space, 0 when the function has none.</summary>
    public int MsiCapabilityOffset => _msiCap;

    /// <summary>Offset of the MSI-X capability in config space, 0 when the function has none.</summary>
    public int MsixCapabilityOffset => _msixCap;

    /// <summary>Offset of the PCI Express capability, 0 for a conventional function.</summary>
    public int PciExpressCapabilityOffset => _pcieCap;

    // ---- config space ----------------------------------------------------------------------

    /// <inheritdoc />
    public void ReadConfig(int offset, Span<byte> destination)
    {
        CheckConfigRange(offset, destination.Length);
        lock (Gate) _config.AsSpan(offset, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    public void WriteConfig(int offset, ReadOnlySpan<byte> source)
    {
        CheckConfigRange(offset, source.Length);
        bool reset = false;
        Deliveries deliveries = default;
        lock (Gate)
        {
            ThrowIfDisposed();
            ushort oldCommand = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command));
            for (int i = 0; i < source.Length; i++)
            {
                int at = offset + i;
                byte v = source[i];
                byte old = (byte)(_config[at] & ~(v & _writeOneToClear[at]));
                _config[at] = (byte)((old & ~_writable[at]) | (v & _writable[at]));
            }
            ushort command = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command));
            if (Touches(offset, source.Length, Command, 2))
            {
                // INTx re-enabled while still asserted: the line is signalled now.
                if ((oldCommand & CommandIntxDisable) != 0 && (command & CommandIntxDisable) == 0 && _intxAsserted)
                    deliveries.Add(0, 0);
                OnCommandWritten(oldCommand, command);
            }
            if (_pcieCap != 0 && Touches(offset, source.Length, _pcieCap + 8, 2))
            {
                int devCtl = _pcieCap + 8;
                if ((BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(devCtl)) & PcieDevCtlInitiateFlr) != 0)
                {
                    _config[devCtl + 1] &= 0x7F;
                    reset = CanReset;
                }
            }
            if (_msixCap != 0 && Touches(offset, source.Length, _msixCap + 2, 2)) CollectUnmaskedMsix(ref deliveries);
            if (_msiCap != 0 && Touches(offset, source.Length, _msiCap + 0x10, 4)) CollectUnmaskedMsi(ref deliveries);
        }
        deliveries.Deliver(_interrupts);
        if (reset) Reset();
    }

    private void CheckConfigRange(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > ConfigSpaceSize)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Address}: config access of {length} bytes at 0x{offset:x} is outside the {ConfigSpaceSize}-byte config space");
    }

    private static bool Touches(int offset, int length, int register, int size) => offset < register + size && offset + length > register;

    /// <summary>Called under <see cref="Gate"/> after a config write touched the command register.</summary>
    protected virtual void OnCommandWritten(ushort oldValue, ushort newValue) { }

    // ---- BARs ----------------------------------------------------------------------------

    /// <inheritdoc />
    public (int MemFd, nint Address)? GetBarMemory(int bar)
    {
        CheckBar(bar);
        if (_barDescriptions[bar] is not { } d || (d.Flags & PciBarFlags.Io) != 0 || _bars[bar].MmapAreas.Count == 0) return null;
        lock (Gate)
        {
            var m = Memory(bar);
            return (m.Fd, m.Address);
        }
    }

    /// <inheritdoc />
    public void ReadBar(int bar, ulong offset, Span<byte> destination)
    {
        CheckBarRange(bar, offset, destination.Length);
        lock (Gate)
        {
            ThrowIfDisposed();
            if (!Decodes(bar))
            {
                // Decoding off: the access ends in a master abort, which reads as all ones.
                destination.Fill(0xFF);
                return;
            }
            ReadBarCore(bar, offset, destination);
        }
    }

    /// <inheritdoc />
    public void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        CheckBarRange(bar, offset, source.Length);
        Deliveries deliveries = default;
        lock (Gate)
        {
            ThrowIfDisposed();
            if (!Decodes(bar)) return;
            if (_msixVectors > 0 && bar == _msixBar && offset < _msixPbaOffset + PbaBytes && offset + (ulong)source.Length > _msixTableOffset)
            {
                WriteMsixArea(offset, source);
                CollectUnmaskedMsix(ref deliveries);
            }
            else
            {
                WriteBarCore(bar, offset, source);
            }
        }
        deliveries.Deliver(_interrupts);
    }

    /// <summary>
    /// A trapped read, under <see cref="Gate"/>, with decoding on and the range checked. The default reads the
    /// BAR's backing store (memory shared with userspace mappings, or the I/O space array).
    /// </summary>
    protected virtual void ReadBarCore(int bar, ulong offset, Span<byte> destination) => Backing(bar, offset, destination.Length).CopyTo(destination);

    /// <summary>A trapped write, under <see cref="Gate"/>; the default stores into the backing store.</summary>
    protected virtual void WriteBarCore(int bar, ulong offset, ReadOnlySpan<byte> source) => source.CopyTo(Backing(bar, offset, source.Length));

    /// <summary>The backing bytes of <paramref name="bar"/> at <paramref name="offset"/> (caller holds <see cref="Gate"/>; range checked here).</summary>
    protected Span<byte> Backing(int bar, ulong offset, int length)
    {
        CheckBarRange(bar, offset, length);
        if ((_barDescriptions[bar]!.Flags & PciBarFlags.Io) != 0)
            return (_ioSpace[bar] ??= new byte[_bars[bar].Size]).AsSpan((int)offset, length);
        return Memory(bar).Slice(offset, length);
    }

    private SharedMemoryFile Memory(int bar)
    {
        ThrowIfDisposed();
        return _memory[bar] ??= SharedMemoryFile.Create($"pci-{Address}-bar{bar}", _bars[bar].Size);
    }

    private bool Decodes(int bar)
    {
        ushort command = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command));
        bool io = (_barDescriptions[bar]!.Flags & PciBarFlags.Io) != 0;
        return (command & (io ? CommandIo : CommandMemory)) != 0;
    }

    private void CheckBar(int bar)
    {
        if (bar is < 0 or >= MaxBars)
            throw new ArgumentOutOfRangeException(nameof(bar), $"{Address}: BAR{bar} does not exist; BARs are 0..5");
    }

    private void CheckBarRange(int bar, ulong offset, int length)
    {
        CheckBar(bar);
        ulong size = _bars[bar].Size;
        if (size == 0)
            throw new ArgumentOutOfRangeException(nameof(bar), $"{Address}: BAR{bar} is not implemented");
        if (length < 0 || offset > size || (ulong)length > size - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Address}: BAR{bar} access of {length} bytes at 0x{offset:x} is outside its 0x{size:x} bytes");
    }

    private void SetUpBar(PciBarDescription b, PciFunctionModelOptions options)
    {
        bool io = (b.Flags & PciBarFlags.Io) != 0;
        bool is64 = (b.Flags & PciBarFlags.Memory64) != 0;
        _barDescriptions[b.Index] = b;
        IReadOnlyList<(ulong, ulong)> areas = options.MmapAreas is { } given && given.TryGetValue(b.Index, out var list)
            ? Validate(b, list)
            : io ? [] : DefaultMmapAreas(b);
        _bars[b.Index] = new BarLayout(b.Index, b.Size, io, is64, (b.Flags & PciBarFlags.Prefetchable) != 0, areas);

        int reg = Bar0 + 4 * b.Index;
        // Address bits below the size read as zero after a sizing write of all ones: that is the size mask.
        uint low = io ? ~((uint)b.Size - 1) & ~3u : ~(uint)Math.Min(b.Size - 1, uint.MaxValue) & ~0xFu;
        BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(reg), low);
        if (is64)
            BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(reg + 4), ~(uint)((b.Size - 1) >> 32));
    }

    private IReadOnlyList<(ulong, ulong)> Validate(PciBarDescription b, IReadOnlyList<(ulong Offset, ulong Size)> areas)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        foreach (var (off, size) in areas)
            if (off % page != 0 || size % page != 0 || size == 0 || off + size > b.Size)
                throw new ArgumentException($"{Address}: BAR{b.Index} mmap area 0x{off:x}+0x{size:x} is not page aligned inside the 0x{b.Size:x}-byte BAR");
        return areas.ToArray();
    }

    private IReadOnlyList<(ulong, ulong)> DefaultMmapAreas(PciBarDescription b)
    {
        ulong page = (ulong)Environment.SystemPageSize;
        if (b.Size < page) return [];
        if (_msixVectors == 0 || b.Index != _msixBar) return [(0, b.Size)];
        // vfio-pci leaves the pages of the MSI-X table and PBA out of the mmapable areas.
        ulong holeStart = Math.Min(_msixTableOffset, _msixPbaOffset) & ~(page - 1);
        ulong holeEnd = Math.Min(b.Size, (_msixPbaOffset + PbaBytes + page - 1) & ~(page - 1));
        var areas = new List<(ulong, ulong)>(2);
        if (holeStart > 0) areas.Add((0, holeStart));
        if (holeEnd < b.Size) areas.Add((holeEnd, b.Size - holeEnd));
        return areas;
    }

    // ---- capabilities --------------------------------------------------------------------

    private void SetUpPcie()
    {
        int devCap = _pcieCap + 4;
        uint cap = BinaryPrimitives.ReadUInt32LittleEndian(_config.AsSpan(devCap));
        if (CanReset) cap |= PcieDevCapFlr;
        BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(devCap), cap);
        Mask16(_pcieCap + 8, 0xFFFF);      // device control (bit 15 starts an FLR and reads back 0)
        Rw1c16(_pcieCap + 0x0A, 0x000F);  // device status error bits
    }

    private int AddMsiCapability()
    {
        // Appended after the last capability of the list, in the free space after PCIe (0xB0) or MSI-X (0x60).
        int at = _pcieCap != 0 ? 0xB0 : _msixCap != 0 ? 0x60 : 0x48;
        int last = _config[CapabilitiesPointer];
        if (last == 0) _config[CapabilitiesPointer] = (byte)at;
        else
        {
            while (_config[last + 1] != 0) last = _config[last + 1];
            _config[last + 1] = (byte)at;
        }
        _config[Status] |= (byte)StatusCapabilityList;
        _config[at] = CapabilityMsi;
        _config[at + 1] = 0;
        int mmc = System.Numerics.BitOperations.Log2((uint)_msiVectors);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(at + 2), (ushort)(Msi64Bit | MsiPerVectorMask | (mmc << 1)));
        Mask16(at + 2, MsiEnable | 0x0070);
        BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(at + 4), ~3u);          // address low
        BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(at + 8), uint.MaxValue); // address high
        Mask16(at + 0x0C, 0xFFFF);                                                         // data
        BinaryPrimitives.WriteUInt32LittleEndian(_writable.AsSpan(at + 0x10), _msiVectors == 32 ? uint.MaxValue : (1u << _msiVectors) - 1);
        return at;
    }

    private void Mask16(int at, int mask) => BinaryPrimitives.WriteUInt16LittleEndian(_writable.AsSpan(at), (ushort)mask);

    private void Rw1c16(int at, int mask) => BinaryPrimitives.WriteUInt16LittleEndian(_writeOneToClear.AsSpan(at), (ushort)mask);

    // ---- interrupts ------------------------------------------------------------------------

    private ulong PbaBytes => (ulong)((_msixVectors + 63) / 64 * 8);

    /// <summary>
    /// Signals interrupt <paramref name="vector"/> the way the function is configured: MSI-X when enabled (a masked
    /// vector, or a function mask, sets its pending bit instead and fires when unmasked), else MSI when enabled
    /// (vector taken modulo the enabled count; per-vector masks honoured), else INTx unless COMMAND.INTX_DISABLE
    /// (the line stays asserted until <see cref="LowerIntx"/>). Returns the VFIO IRQ index used, or -1 when held back.
    /// </summary>
    protected int RaiseInterrupt(int vector)
    {
        Deliveries d = default;
        int index;
        lock (Gate)
        {
            index = RouteInterrupt(vector, ref d);
        }
        d.Deliver(_interrupts);
        return index;
    }

    private int RouteInterrupt(int vector, ref Deliveries d)
    {
        if (_disposed) return -1;
        ArgumentOutOfRangeException.ThrowIfNegative(vector);
        if (_msixCap != 0)
        {
            ushort control = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(_msixCap + 2));
            if ((control & MsixEnable) != 0)
            {
                if (vector >= _msixVectors) return -1;
                if ((control & MsixFunctionMask) != 0 || (MsixVectorControl(vector) & MsixVectorMasked) != 0)
                {
                    SetPending(vector, true);
                    return -1;
                }
                d.Add(2, vector);
                return 2;
            }
        }
        if (_msiCap != 0)
        {
            ushort control = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(_msiCap + 2));
            if ((control & MsiEnable) != 0)
            {
                int enabled = 1 << ((control >> 4) & 7);
                vector &= Math.Min(enabled, _msiVectors) - 1;
                uint bit = 1u << vector;
                if ((BinaryPrimitives.ReadUInt32LittleEndian(_config.AsSpan(_msiCap + 0x10)) & bit) != 0)
                {
                    var pending = _config.AsSpan(_msiCap + 0x14);
                    BinaryPrimitives.WriteUInt32LittleEndian(pending, BinaryPrimitives.ReadUInt32LittleEndian(pending) | bit);
                    return -1;
                }
                d.Add(1, vector);
                return 1;
            }
        }
        _intxAsserted = true;
        _config[Status] |= (byte)StatusInterrupt;
        if ((BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command)) & CommandIntxDisable) != 0) return -1;
        d.Add(0, 0);
        return 0;
    }

    /// <summary>Deasserts INTx (the device's interrupt status became zero).</summary>
    protected void LowerIntx()
    {
        lock (Gate)
        {
            _intxAsserted = false;
            _config[Status] &= unchecked((byte)~StatusInterrupt);
        }
    }

    /// <summary>Whether MSI-X vector <paramref name="vector"/> has its pending bit set.</summary>
    public bool IsMsixPending(int vector)
    {
        lock (Gate)
        {
            if (vector < 0 || vector >= _msixVectors) return false;
            var pba = Backing(_msixBar, _msixPbaOffset + (ulong)(vector / 64 * 8), 8);
            return (BinaryPrimitives.ReadUInt64LittleEndian(pba) & (1ul << (vector % 64))) != 0;
        }
    }

    private uint MsixVectorControl(int vector) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Backing(_msixBar, _msixTableOffset + (ulong)(vector * MsixEntrySize) + 12, 4));

    private void SetPending(int vector, bool pending)
    {
        var pba = Backing(_msixBar, _msixPbaOffset + (ulong)(vector / 64 * 8), 8);
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(pba);
        ulong bit = 1ul << (vector % 64);
        BinaryPrimitives.WriteUInt64LittleEndian(pba, pending ? bits | bit : bits & ~bit);
    }

    private void WriteMsixArea(ulong offset, ReadOnlySpan<byte> source)
    {
        // Table entries are writable; the PBA is read-only to software.
        for (int i = 0; i < source.Length; i++)
        {
            ulong at = offset + (ulong)i;
            if (at >= _msixTableOffset && at < _msixTableOffset + (ulong)(_msixVectors * MsixEntrySize))
                Backing(_msixBar, at, 1)[0] = source[i];
            else if (at < _msixPbaOffset || at >= _msixPbaOffset + PbaBytes)
                WriteBarCore(_msixBar, at, source.Slice(i, 1));
        }
    }

    private void CollectUnmaskedMsix(ref Deliveries d)
    {
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(_msixCap + 2));
        if ((control & MsixEnable) == 0 || (control & MsixFunctionMask) != 0) return;
        for (int v = 0; v < _msixVectors; v++)
        {
            if ((MsixVectorControl(v) & MsixVectorMasked) != 0) continue;
            var pba = Backing(_msixBar, _msixPbaOffset + (ulong)(v / 64 * 8), 8);
            if ((BinaryPrimitives.ReadUInt64LittleEndian(pba) & (1ul << (v % 64))) == 0) continue;
            SetPending(v, false);
            d.Add(2, v);
        }
    }

    private void CollectUnmaskedMsi(ref Deliveries d)
    {
        ushort control = BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(_msiCap + 2));
        if ((control & MsiEnable) == 0) return;
        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(_config.AsSpan(_msiCap + 0x10));
        var pendingSpan = _config.AsSpan(_msiCap + 0x14);
        uint pending = BinaryPrimitives.ReadUInt32LittleEndian(pendingSpan);
        uint fire = pending & ~mask;
        BinaryPrimitives.WriteUInt32LittleEndian(pendingSpan, pending & mask);
        for (int v = 0; v < 32; v++)
            if ((fire & (1u << v)) != 0) d.Add(1, v);
    }

    /// <inheritdoc />
    public virtual int IrqCount(int irqIndex) => irqIndex switch
    {
        0 => _config[InterruptPin] != 0 ? 1 : 0,
        1 => _msiVectors,
        2 => _msixVectors,
        3 => _pcieCap != 0 ? 1 : 0,
        4 => 1,
        _ => 0,
    };

    // ---- DMA -----------------------------------------------------------------------------

    /// <summary>Reads guest memory at <paramref name="iova"/> through the IOMMU domain, if the function may master the bus.</summary>
    protected DmaOutcome DmaRead(ulong iova, Span<byte> destination)
    {
        if (!MayMaster()) return DmaOutcome.BusMasterDisabled;
        if (_dma is not { } port) return DmaOutcome.NoDomain;
        return port.TryRead(iova, destination) ? DmaOutcome.Completed : DmaOutcome.PageFault;
    }

    /// <summary>Writes guest memory at <paramref name="iova"/> through the IOMMU domain, if the function may master the bus.</summary>
    protected DmaOutcome DmaWrite(ulong iova, ReadOnlySpan<byte> source)
    {
        if (!MayMaster()) return DmaOutcome.BusMasterDisabled;
        if (_dma is not { } port) return DmaOutcome.NoDomain;
        return port.TryWrite(iova, source) ? DmaOutcome.Completed : DmaOutcome.PageFault;
    }

    private bool MayMaster()
    {
        lock (Gate) return (BinaryPrimitives.ReadUInt16LittleEndian(_config.AsSpan(Command)) & CommandMaster) != 0;
    }

    // ---- reset / dispose -----------------------------------------------------------------

    /// <inheritdoc />
    public void Reset()
    {
        lock (Gate)
        {
            ThrowIfDisposed();
            _powerOn.CopyTo(_config, 0);
            _intxAsserted = false;
            foreach (var m in _memory) m?.Clear();
            foreach (var io in _ioSpace) if (io is not null) Array.Clear(io);
            ResetCount++;
            OnReset();
        }
    }

    /// <summary>Called under <see cref="Gate"/> by <see cref="Reset"/> after config space and BAR memory returned to power-on state.</summary>
    protected virtual void OnReset() { }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once disposed (caller holds <see cref="Gate"/>).</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the BAR memfds and mappings; subclasses stop their device work first.</summary>
    protected virtual void Dispose(bool disposing)
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            for (int i = 0; i < _memory.Length; i++)
            {
                _memory[i]?.Dispose();
                _memory[i] = null;
            }
        }
    }

    /// <summary>Interrupts decided under the lock and signalled after it (the sink takes the kernel's locks).</summary>
    private struct Deliveries
    {
        private List<(int Index, int Vector)>? _more;
        private (int Index, int Vector) _first;
        private bool _any;

        public void Add(int index, int vector)
        {
            if (!_any)
            {
                _first = (index, vector);
                _any = true;
            }
            else (_more ??= []).Add((index, vector));
        }

        public readonly void Deliver(IInterruptSink? sink)
        {
            if (!_any || sink is null) return;
            sink.Raise(_first.Index, _first.Vector);
            if (_more is null) return;
            foreach (var (i, v) in _more) sink.Raise(i, v);
        }
    }
}

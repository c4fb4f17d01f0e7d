using System.Buffers;
using System.Buffers.Binary;

namespace Eal.Emulation.Devices;

/// <summary>Options of an <see cref="EduDeviceModel"/>.</summary>
public sealed class EduDeviceOptions
{
    /// <summary>How long a DMA transfer takes before it completes (QEMU uses a ~100 ms timer; a short delay keeps tests fast but still asynchronous).</summary>
    public TimeSpan DmaLatency { get; init; } = TimeSpan.FromMilliseconds(1);
}

/// <summary>
/// A DMA test device in the spirit of QEMU's <c>edu</c> (1234:11e8), with MSI-X added. BAR0 (1 MiB, 32-bit memory):
/// <list type="table">
/// <item><term>0x0000-0x0fff</term><description>registers, trapped (not mmapable; reached through pread/pwrite on the VFIO region)</description></item>
/// <item><term>0x1000-0x1fff</term><description>MSI-X table (<see cref="MsixVectors"/> vectors) and PBA, trapped like vfio-pci traps them</description></item>
/// <item><term>0x2000-0xfffff</term><description>one sparse-mmap area holding the 4 KiB DMA buffer at <see cref="BufferOffset"/></description></item>
/// </list>
/// Registers (4-byte access below 0x80, 4 or 8 above): 0x00 id <c>0x010000ed</c>; 0x04 liveness (reads ~value written);
/// 0x08 factorial; 0x20 status (0x01 computing, 0x80 interrupt when the factorial is done); 0x24 interrupt status;
/// 0x60 raise (ORs into the status and interrupts); 0x64 acknowledge (clears bits); 0x80 DMA source; 0x88 DMA destination;
/// 0x90 DMA count; 0x98 DMA command: 0x01 start (reads 1 while running), 0x02 direction device→RAM, 0x04 interrupt
/// when done, and, an addition to QEMU, 0x08 error (read-only: the last transfer failed, see <see cref="LastDmaOutcome"/>).
/// Device-side DMA addresses are in [0x40000, 0x41000). A transfer completes asynchronously after
/// <see cref="EduDeviceOptions.DmaLatency"/>: interrupt status 0x100 on success, 0x200 on failure (a page fault, bus
/// mastering off, no IOMMU domain, or a device range outside the buffer); a failed transfer touches no memory.
/// <para>
/// A function described with <see cref="Describe"/>'s <c>qemu: true</c> (machine-spec key <c>edu-qemu</c>) is QEMU 7.2's
/// edu as vfio-pci shows it, so the same driver cases run here and on the real kernel: MSI only (no MSI-X), no reset,
/// no error bit — a transfer the IOMMU blocks still "completes" and raises 0x100, and a blocked read from RAM fills the
/// device buffer with zeros (QEMU's unassigned-memory reads) — and the DMA buffer is internal: BAR0 past the registers
/// reads all-ones and ignores writes. One deviation remains: the registers are trapped, not mmapable (emulated MMIO
/// cannot trap loads from mapped memory), so drivers reach them through pread/pwrite.
/// </para>
/// </summary>
public sealed class EduDeviceModel : PciFunctionModel
{
    /// <summary>PCI vendor id (QEMU).</summary>
    public const ushort VendorId = 0x1234;
    /// <summary>PCI device id of edu.</summary>
    public const ushort DeviceId = 0x11e8;
    /// <summary>BAR0 size.</summary>
    public const ulong Bar0Size = 0x10_0000;
    /// <summary>MSI-X vectors of this model.</summary>
    public const int MsixVectors = 2;
    /// <summary>Offset of the MSI-X table in BAR0.</summary>
    public const uint MsixTableOffset = 0x1000;
    /// <summary>Offset of the DMA buffer in BAR0, and its device-side DMA address.</summary>
    public const ulong BufferOffset = 0x40000;
    /// <summary>Size of the DMA buffer.</summary>
    public const int BufferSize = 0x1000;

    /// <summary>The machine-spec key of the QEMU-compatible function (<c>edu-qemu=N</c>); <c>edu=N</c> adds the MSI-X one.</summary>
    public const string QemuSpecKey = "edu-qemu";

    /// <summary>Register offsets in BAR0.</summary>
    public static class Registers
    {
        /// <summary>Identification, <c>0x010000ed</c> (version 1.0).</summary>
        public const int Id = 0x00;
        /// <summary>Liveness check: reads the bitwise inverse of the last value written.</summary>
        public const int Liveness = 0x04;
        /// <summary>Factorial: write n, read n!.</summary>
        public const int Factorial = 0x08;
        /// <summary>Status: 0x01 computing, 0x80 raise an interrupt when the factorial is done.</summary>
        public const int Status = 0x20;
        /// <summary>Interrupt status (read-only).</summary>
        public const int InterruptStatus = 0x24;
        /// <summary>Interrupt raise (write-only): ORs the value into the interrupt status and interrupts.</summary>
        public const int InterruptRaise = 0x60;
        /// <summary>Interrupt acknowledge (write-only): clears the bits written.</summary>
        public const int InterruptAck = 0x64;
        /// <summary>DMA source address (64-bit).</summary>
        public const int DmaSource = 0x80;
        /// <summary>DMA destination address (64-bit).</summary>
        public const int DmaDestination = 0x88;
        /// <summary>DMA byte count (64-bit).</summary>
        public const int DmaCount = 0x90;
        /// <summary>DMA command (64-bit).</summary>
        public const int DmaCommand = 0x98;
    }

    /// <summary>DMA command: start (reads 1 while the transfer runs).</summary>
    public const ulong DmaStart = 0x1;
    /// <summary>DMA command: direction device buffer → RAM (clear: RAM → device buffer).</summary>
    public const ulong DmaToRam = 0x2;
    /// <summary>DMA command: interrupt when the transfer ends.</summary>
    public const ulong DmaIrq = 0x4;
    /// <summary>DMA command: the last transfer failed (read-only; an addition to QEMU's edu).</summary>
    public const ulong DmaError = 0x8;
    /// <summary>Interrupt status bit of the factorial.</summary>
    public const uint IrqFactorial = 0x001;
    /// <summary>Interrupt status bit of a completed DMA.</summary>
    public const uint IrqDmaDone = 0x100;
    /// <summary>Interrupt status bit of a failed DMA.</summary>
    public const uint IrqDmaError = 0x200;

    private const uint Identification = 0x010000ed;
    private const ulong RegisterPage = 0x1000;

    private readonly TimeSpan _latency;
    private readonly Timer _timer;
    private uint _liveness, _factorial, _status, _irqStatus;
    private ulong _dmaSrc, _dmaDst, _dmaCount, _dmaCmd;
    private long _generation;
    private DmaOutcome? _lastOutcome;

    /// <summary>Creates an edu model for <paramref name="description"/> (usually from <see cref="Describe"/>).</summary>
    public EduDeviceModel(PciFunctionDescription description, EduDeviceOptions? options = null)
        : base(Check(description), new PciFunctionModelOptions
        {
            MsiVectors = 1,
            CanReset = !IsQemu(description),
            // QEMU's BAR0 holds registers only (its DMA buffer is internal): nothing to mmap beyond them.
            MmapAreas = new Dictionary<int, IReadOnlyList<(ulong, ulong)>> { [0] = IsQemu(description) ? [] : [(0x2000, Bar0Size - 0x2000)] },
        })
    {
        _latency = (options ?? new EduDeviceOptions()).DmaLatency;
        if (_latency < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), $"{Address}: DMA latency {_latency} is negative");
        _timer = new Timer(static s => ((EduDeviceModel)s!).RunDma(), this, Timeout.Infinite, Timeout.Infinite);
        IsQemuCompatible = IsQemu(description);
    }

    /// <summary>Whether this function is QEMU's edu (MSI only, no reset, no error bit; see the type's remarks).</summary>
    public bool IsQemuCompatible { get; }

    // The profile follows from the description: QEMU's edu is the one without MSI-X (Describe's qemu: true).
    private static bool IsQemu(PciFunctionDescription? description) => description?.MsixVectors == 0;

    /// <summary>The outcome of the last finished transfer, or null before any.</summary>
    public DmaOutcome? LastDmaOutcome
    {
        get { lock (Gate) return _lastOutcome; }
    }

    /// <summary>Transfers that ended (successfully or not) since creation.</summary>
    public int DmaTransfers { get; private set; }

    /// <summary>
    /// The description of an edu function at <paramref name="address"/> as the emulated machine lists it:
    /// 1234:11e8, class 0x00ff00, 256-byte config space, BAR0 1 MiB, MSI-X table in BAR0 at 0x1000 — or, with
    /// <paramref name="qemu"/>, QEMU's edu: the same without MSI-X.
    /// </summary>
    public static PciFunctionDescription Describe(string address, string? driver = "vfio-pci", int? iommuGroup = null, int? vfioCdev = null, int numaNode = 0,
        bool qemu = false) => new()
    {
        Address = address,
        VendorId = VendorId,
        DeviceId = DeviceId,
        SubsystemVendorId = 0x1af4,
        SubsystemDeviceId = 0x1100,
        ClassCode = 0x00ff00,
        Revision = 0x10,
        NumaNode = numaNode,
        Driver = driver,
        IommuGroup = iommuGroup,
        VfioCdev = vfioCdev,
        MsixVectors = qemu ? 0 : MsixVectors,
        MsixTableBar = 0,
        MsixTableOffset = MsixTableOffset,
        ConfigSpaceSize = 256,
        Bars = [new PciBarDescription { Index = 0, Address = 0xfea0_0000, Size = Bar0Size, Flags = PciBarFlags.Memory }],
    };

    private static PciFunctionDescription Check(PciFunctionDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var bar0 = d.Bars.FirstOrDefault(b => b.Index == 0);
        if (bar0 is null || bar0.Size != Bar0Size || (bar0.Flags & PciBarFlags.Io) != 0 || d.MsixVectors is not (0 or MsixVectors) || d.MsixTableBar != 0 || d.MsixTableOffset != MsixTableOffset)
            throw new ArgumentException($"{d.Address}: an edu function needs BAR0 of 1 MiB memory and {MsixVectors} MSI-X vectors at BAR0+0x{MsixTableOffset:x} (or none, as QEMU's); build it with EduDeviceModel.Describe", nameof(d));
        return d;
    }

    /// <inheritdoc />
    protected override void ReadBarCore(int bar, ulong offset, Span<byte> destination)
    {
        if (bar == 0 && offset >= RegisterPage && IsQemuCompatible)
        {
            destination.Fill(0xFF);
            return;
        }
        if (bar != 0 || offset >= RegisterPage)
        {
            base.ReadBarCore(bar, offset, destination);
            return;
        }
        if (!ValidAccess(offset, destination.Length))
        {
            destination.Fill(0xFF);
            return;
        }
        // The 64-bit DMA registers read as halves with 4-byte accesses.
        ulong value = ReadRegister(offset >= 0x80 ? (int)(offset & ~7ul) : (int)offset);
        if (offset >= 0x80 && destination.Length == 4 && (offset & 4) != 0) value >>= 32;
        if (destination.Length == 8) BinaryPrimitives.WriteUInt64LittleEndian(destination, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)value);
    }

    /// <inheritdoc />
    protected override void WriteBarCore(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        if (bar == 0 && offset >= RegisterPage && IsQemuCompatible) return;
        if (bar != 0 || offset >= RegisterPage)
        {
            base.WriteBarCore(bar, offset, source);
            return;
        }
        if (!ValidAccess(offset, source.Length)) return;
        if (offset < 0x80)
        {
            WriteRegister32((int)offset, BinaryPrimitives.ReadUInt32LittleEndian(source));
            return;
        }
        int aligned = (int)(offset & ~7ul);
        ulong old = ReadRegister(aligned);
        ulong value = source.Length == 8
            ? BinaryPrimitives.ReadUInt64LittleEndian(source)
            : (offset & 4) == 0
                ? (old & 0xFFFF_FFFF_0000_0000) | BinaryPrimitives.ReadUInt32LittleEndian(source)
                : (old & 0xFFFF_FFFF) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(source) << 32);
        WriteRegister64(aligned, value);
    }

    // QEMU's edu accepts 4-byte accesses everywhere and 8-byte ones from 0x80; others are ignored.
    private static bool ValidAccess(ulong offset, int size) =>
        (size == 4 && offset % 4 == 0) || (size == 8 && offset >= 0x80 && offset % 8 == 0);

    private ulong ReadRegister(int offset) => offset switch
    {
        Registers.Id => Identification,
        Registers.Liveness => ~_liveness,
        Registers.Factorial => _factorial,
        Registers.Status => _status,
        Registers.InterruptStatus => _irqStatus,
        Registers.DmaSource => _dmaSrc,
        Registers.DmaDestination => _dmaDst,
        Registers.DmaCount => _dmaCount,
        Registers.DmaCommand => _dmaCmd,
        _ => 0,
    };

    private void WriteRegister32(int offset, uint value)
    {
        switch (offset)
        {
            case Registers.Liveness:
                _liveness = value;
                break;
            case Registers.Factorial:
                // Computed at once (QEMU uses a thread; the busy bit is never observable here).
                _factorial = Factorial(value);
                if ((_status & 0x80) != 0) RaiseLocked(IrqFactorial);
                break;
            case Registers.Status:
                _status = (_status & 0x01) | (value & 0x80);
                break;
            case Registers.InterruptRaise:
                RaiseLocked(value);
                break;
            case Registers.InterruptAck:
                _irqStatus &= ~value;
                if (_irqStatus == 0) LowerIntx();
                break;
        }
    }

    private void WriteRegister64(int offset, ulong value)
    {
        switch (offset)
        {
            case Registers.DmaSource: _dmaSrc = value; break;
            case Registers.DmaDestination: _dmaDst = value; break;
            case Registers.DmaCount: _dmaCount = value; break;
            case Registers.DmaCommand:
                if ((_dmaCmd & DmaStart) != 0) return; // a running transfer ignores new commands, as on QEMU
                _dmaCmd = value & (DmaStart | DmaToRam | DmaIrq);
                if ((value & DmaStart) != 0) _timer.Change(_latency, Timeout.InfiniteTimeSpan);
                break;
        }
    }

    private static uint Factorial(uint n)
    {
        uint r = 1;
        for (uint i = 2; i <= n; i++) r = unchecked(r * i);
        return r;
    }

    private void RaiseLocked(uint bits)
    {
        _irqStatus |= bits;
        if (_irqStatus == 0) return; // as QEMU: raising nothing signals nothing
        // Raised on the thread pool: the interrupt sink takes the kernel's locks, which must not nest inside ours.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.RaiseInterrupt(0), this, preferLocal: false);
    }

    // The timer callback: the transfer itself runs outside the lock (the IOMMU port takes the kernel's locks);
    // the result is committed only if no reset or dispose intervened.
    private void RunDma()
    {
        ulong src, dst, count, cmd;
        long generation;
        lock (Gate)
        {
            if ((_dmaCmd & DmaStart) == 0) return;
            (src, dst, count, cmd, generation) = (_dmaSrc, _dmaDst, _dmaCount, _dmaCmd, _generation);
        }
        bool toRam = (cmd & DmaToRam) != 0;
        ulong device = toRam ? src : dst, ram = toRam ? dst : src;
        DmaOutcome? outcome = null;
        bool inRange = count <= BufferSize && device >= BufferOffset && device - BufferOffset <= (ulong)BufferSize - count;
        int n = (int)Math.Min(count, BufferSize);
        byte[] staging = ArrayPool<byte>.Shared.Rent(Math.Max(n, 1));
        try
        {
            if (inRange && toRam)
            {
                lock (Gate)
                {
                    if (generation != _generation) return;
                    Backing(0, device, n).CopyTo(staging);
                }
                outcome = DmaWrite(ram, staging.AsSpan(0, n));
            }
            else if (inRange)
            {
                outcome = DmaRead(ram, staging.AsSpan(0, n));
            }
            lock (Gate)
            {
                if (generation != _generation) return;
                bool ok = outcome == DmaOutcome.Completed;
                if (!toRam && inRange && (ok || IsQemuCompatible))
                {
                    // QEMU's edu stores what the bus returned: zeros when the IOMMU blocked the read.
                    if (!ok) staging.AsSpan(0, n).Clear();
                    staging.AsSpan(0, n).CopyTo(Backing(0, device, n));
                }
                _lastOutcome = outcome ?? DmaOutcome.InvalidDeviceRange;
                _dmaCmd = (_dmaCmd & ~DmaStart & ~DmaError) | (ok || IsQemuCompatible ? 0 : DmaError);
                DmaTransfers++;
                if ((cmd & DmaIrq) != 0) RaiseLocked(ok || IsQemuCompatible ? IrqDmaDone : IrqDmaError);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(staging);
        }
    }

    /// <inheritdoc />
    protected override void OnReset()
    {
        _generation++;
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        _liveness = _factorial = _status = _irqStatus = 0;
        _dmaSrc = _dmaDst = _dmaCount = _dmaCmd = 0;
        _lastOutcome = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (Gate) _generation++;
            using var done = new ManualResetEvent(false);
            // Wait for a running callback so it never touches unmapped BAR memory.
            if (_timer.Dispose(done)) done.WaitOne();
        }
        base.Dispose(disposing);
    }
}

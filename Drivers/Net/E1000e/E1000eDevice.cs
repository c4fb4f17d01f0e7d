using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.NetworkInformation;
using Eal.Bus;
using Eal.Bus.Pci.Vfio;
using Eal.Vfio;

namespace Eal.Net.E1000e;

/// <summary>The interrupt causes an 82574 can route to its own MSI-X vector (IVAR fields, in register order).</summary>
public enum E1000eCause
{
    /// <summary>Receive queue 0 (ICR bit 20).</summary>
    RxQueue0,
    /// <summary>Receive queue 1 (ICR bit 21).</summary>
    RxQueue1,
    /// <summary>Transmit queue 0 (ICR bit 22).</summary>
    TxQueue0,
    /// <summary>Transmit queue 1 (ICR bit 23).</summary>
    TxQueue1,
    /// <summary>Everything else: link status change, overrun... (ICR bit 24; fired here through LSC, bit 2).</summary>
    Other,
}

/// <summary>One MSI-X table entry as the device holds it.</summary>
/// <param name="Address">Message address.</param>
/// <param name="Data">Message data.</param>
/// <param name="Control">Vector control (bit 0 = masked).</param>
public readonly record struct MsixTableEntry(ulong Address, uint Data, uint Control)
{
    /// <summary>Whether the vector is masked.</summary>
    public bool Masked => (Control & 1) != 0;
}

/// <summary>What the expansion ROM's first image declares (PCI Firmware Specification 3.0, PCI data structure).</summary>
/// <param name="ImageLength">Bytes of the first image.</param>
/// <param name="VendorId">Vendor id in its PCI data structure.</param>
/// <param name="DeviceId">Device id in its PCI data structure.</param>
/// <param name="ClassCode">Class code in its PCI data structure.</param>
/// <param name="CodeType">0 x86 BIOS, 1 Open Firmware, 3 EFI.</param>
/// <param name="IsLastImage">Whether more images follow.</param>
public readonly record struct OptionRomImage(int ImageLength, ushort VendorId, ushort DeviceId, uint ClassCode, byte CodeType, bool IsLastImage);

/// <summary>
/// One 82574L function driven through its VFIO mapping: the register file (BAR0, MMIO or pread/pwrite where trapped),
/// the I/O-port window (BAR2, pread/pwrite only), the NVM through EERD, the option ROM (VFIO region 6), MSI-X with one
/// eventfd per vector and causes routed by IVAR, and resets. Not thread-safe.
/// </summary>
public sealed class E1000eDevice
{
    /// <summary>PCI vendor id (Intel).</summary>
    public const ushort VendorId = 0x8086;
    /// <summary>PCI device id (82574L).</summary>
    public const ushort DeviceId = 0x10d3;
    /// <summary>The BAR holding the register file.</summary>
    public const int RegisterBar = 0;
    /// <summary>The I/O-port BAR.</summary>
    public const int IoBar = 2;
    /// <summary>The BAR holding the MSI-X table.</summary>
    public const int MsixBar = 3;
    /// <summary>Words of the NVM that the checksum covers.</summary>
    public const int NvmChecksumWords = 0x40;
    /// <summary>The EITR value the driver programs into every vector: 500 × 256 ns (see <see cref="ThrottleInterval"/>).</summary>
    public const uint ThrottleRegisterValue = 500;
    /// <summary>
    /// The shortest time between two notifications of one MSI-X vector, as programmed into EITR: 128 µs, at most 7813
    /// interrupts per second per vector (QEMU's e1000e never throttles less, whatever EITR says).
    /// </summary>
    public static readonly TimeSpan ThrottleInterval = TimeSpan.FromTicks(ThrottleRegisterValue * 256 / 100);

    /// <summary>Register offsets in BAR0 (the 82574 datasheet's names).</summary>
    public static class Registers
    {
        /// <summary>Device control.</summary>
        public const int Ctrl = 0x0000;
        /// <summary>Device status.</summary>
        public const int Status = 0x0008;
        /// <summary>EEPROM read.</summary>
        public const int Eerd = 0x0014;
        /// <summary>Extended device control.</summary>
        public const int CtrlExt = 0x0018;
        /// <summary>Interrupt cause read.</summary>
        public const int Icr = 0x00C0;
        /// <summary>Interrupt cause set.</summary>
        public const int Ics = 0x00C8;
        /// <summary>Interrupt mask set/read.</summary>
        public const int Ims = 0x00D0;
        /// <summary>Interrupt mask clear.</summary>
        public const int Imc = 0x00D8;
        /// <summary>Extended interrupt auto clear.</summary>
        public const int Eiac = 0x00DC;
        /// <summary>Interrupt vector allocation.</summary>
        public const int Ivar = 0x00E4;
        /// <summary>Extended interrupt throttle of MSI-X vector 0 (vector v at +4v), in 256 ns units.</summary>
        public const int Eitr0 = 0x00E8;
        /// <summary>Receive address low 0.</summary>
        public const int Ral0 = 0x5400;
        /// <summary>Receive address high 0.</summary>
        public const int Rah0 = 0x5404;
    }

    private const uint CtrlRst = 1u << 26;
    private const uint EerdStart = 1, EerdDone = 1u << 1;
    private const uint LinkStatusChange = 1u << 2;
    private const int IoAddr = 0x0, IoData = 0x4, MsixVectorCount = 5;
    private static readonly uint[] CauseBits = [1u << 20, 1u << 21, 1u << 22, 1u << 23, 1u << 24];

    private readonly PciMappedDevice _mapping;
    private readonly int?[] _routes = new int?[CauseBits.Length];
    // When the device last raised, or may have raised, an interrupt (Stopwatch timestamp); see InterruptQuietTime.
    private long _lastInterrupt;

    internal E1000eDevice(string name, PciMappedDevice mapping)
    {
        Name = name;
        _mapping = mapping;
    }

    /// <summary>The PCI address.</summary>
    public string Name { get; }

    /// <summary>The VFIO mode the device runs in.</summary>
    public VfioMode Mode => _mapping.Mode;

    /// <summary>The interrupt in use: 0 INTx, 1 MSI, 2 MSI-X, or -1 when none was prepared.</summary>
    public int InterruptIndex => _mapping.InterruptIndex;

    /// <summary>The interrupt vectors enabled, each with its own eventfd.</summary>
    public int InterruptVectors => _mapping.InterruptVectors;

    /// <summary>The permanent MAC address, read from NVM words 0-2 at probe.</summary>
    public PhysicalAddress MacAddress { get; private set; } = PhysicalAddress.None;

    /// <summary>How long a register handshake (EERD done, CTRL.RST clearing) may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after the device last raised (or may have raised) an interrupt the driver waits before it raises another
    /// with <see cref="FireCause"/>, disables the vectors or resets the function: <see cref="ThrottleInterval"/> plus
    /// 2 ms for a virtual device, whose throttling timer runs on the host's event loop and may run late.
    /// </summary>
    /// <remarks>
    /// A vector notified again within its throttling interval is postponed to the interval's end. QEMU 7.2 then never
    /// forgets the postponement (<c>eitr_intr_pending</c> in hw/net/e1000e_core.c is not cleared), so every later
    /// notification of that vector is followed by a spurious one; and its throttling timer asserts that MSI-X is still
    /// enabled when it fires, aborting QEMU if the vectors were disabled meanwhile. Waiting out the interval keeps every
    /// notification immediate and single, on QEMU and on an 82574 alike.
    /// </remarks>
    public TimeSpan InterruptQuietTime { get; set; } = ThrottleInterval + TimeSpan.FromMilliseconds(2);

    /// <summary>The STATUS register through the memory BAR.</summary>
    public uint Status => ReadRegister(Registers.Status);

    internal void Start()
    {
        uint status = ReadRegister(Registers.Status);
        if (status == uint.MaxValue)
            throw new DeviceProbeException($"{Name}: STATUS reads 0xffffffff, the device does not decode its memory BAR; check that memory decoding is on and the function is 8086:10d3");
        // Nothing may interrupt before the vectors are wired.
        WriteRegister(Registers.Imc, uint.MaxValue);
        if (!IsNvmChecksumValid())
            throw new DeviceProbeException($"{Name}: the NVM checksum is wrong (words 0..0x3f must sum to 0xbaba); the NVM is corrupt, reprogram it");
        Span<byte> mac = stackalloc byte[6];
        for (int i = 0; i < 3; i++) BinaryPrimitives.WriteUInt16LittleEndian(mac[(2 * i)..], ReadNvm(i));
        MacAddress = new PhysicalAddress(mac.ToArray());
        if (_mapping.InterruptIndex >= 0)
            _mapping.EnableInterrupts(_mapping.InterruptIndex == 2 ? Math.Min(MsixVectorCount, _mapping.AvailableInterruptVectors) : 1);
        ProgramThrottling();
        // Whoever had the device before may have left a throttling interval running.
        _lastInterrupt = Stopwatch.GetTimestamp();
    }

    internal void Stop()
    {
        WriteRegister(Registers.Imc, uint.MaxValue);
        WaitUntilInterruptsQuiet();
        _mapping.DisableInterrupts();
    }

    private void ProgramThrottling()
    {
        if (InterruptIndex != 2) return;
        for (int v = 0; v < InterruptVectors; v++) WriteRegister(Registers.Eitr0 + 4 * v, ThrottleRegisterValue);
    }

    private void WaitUntilInterruptsQuiet()
    {
        var left = InterruptQuietTime - Stopwatch.GetElapsedTime(_lastInterrupt);
        if (left > TimeSpan.Zero) Thread.Sleep(left);
    }

    /// <summary>Reads a 32-bit register of BAR0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not 4-byte aligned inside BAR0.</exception>
    public uint ReadRegister(int offset) => _mapping.Read32(RegisterBar, CheckRegister(offset));

    /// <summary>Writes a 32-bit register of BAR0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not 4-byte aligned inside BAR0.</exception>
    public void WriteRegister(int offset, uint value) => _mapping.Write32(RegisterBar, CheckRegister(offset), value);

    /// <summary>Reads a register through the I/O-port window: IOADDR ← <paramref name="offset"/>, then IODATA (pwrite/pread on BAR2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not 4-byte aligned inside BAR0.</exception>
    public uint ReadRegisterThroughIoPort(int offset)
    {
        _mapping.Write32(IoBar, IoAddr, (uint)CheckRegister(offset));
        return _mapping.Read32(IoBar, IoData);
    }

    /// <summary>Writes a register through the I/O-port window.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not 4-byte aligned inside BAR0.</exception>
    public void WriteRegisterThroughIoPort(int offset, uint value)
    {
        _mapping.Write32(IoBar, IoAddr, (uint)CheckRegister(offset));
        _mapping.Write32(IoBar, IoData, value);
    }

    private ulong CheckRegister(int offset)
    {
        ulong size = _mapping.Bar(RegisterBar).Size;
        if (offset < 0 || (offset & 3) != 0 || (ulong)offset + 4 > size)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{Name}: register offset 0x{offset:x} is not a 4-byte aligned offset inside the 0x{size:x}-byte register BAR");
        return (ulong)offset;
    }

    /// <summary>Reads NVM word <paramref name="word"/> through EERD.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The word is outside 0..0x3fff.</exception>
    /// <exception cref="TimeoutException">EERD did not report done within <see cref="Timeout"/> (the word is past the NVM, or the device hangs).</exception>
    public ushort ReadNvm(int word)
    {
        if (word is < 0 or > 0x3FFF)
            throw new ArgumentOutOfRangeException(nameof(word), word, $"{Name}: NVM word {word} is outside EERD's 14-bit address range 0..0x3fff");
        WriteRegister(Registers.Eerd, ((uint)word << 2) | EerdStart);
        uint value = WaitFor(Registers.Eerd, v => (v & EerdDone) != 0 && ((v >> 2) & 0x3FFF) == (uint)word, $"EERD to finish reading NVM word {word} (the NVM may be smaller)");
        return (ushort)(value >> 16);
    }

    /// <summary>Whether NVM words 0..0x3f sum to 0xbaba, as Intel's drivers require.</summary>
    public bool IsNvmChecksumValid()
    {
        ushort sum = 0;
        for (int i = 0; i < NvmChecksumWords; i++) sum += ReadNvm(i);
        return sum == 0xBABA;
    }

    /// <summary>The receive-address registers RAL0/RAH0 as a MAC address (what the device filters on now).</summary>
    public PhysicalAddress ReceiveAddress
    {
        get
        {
            Span<byte> mac = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(mac, ReadRegister(Registers.Ral0));
            BinaryPrimitives.WriteUInt32LittleEndian(mac[4..], ReadRegister(Registers.Rah0));
            return new PhysicalAddress(mac[..6].ToArray());
        }
    }

    /// <summary>Sets RAL0/RAH0 (address valid) to <paramref name="address"/>.</summary>
    /// <exception cref="ArgumentException">The address is not 6 bytes.</exception>
    public void SetReceiveAddress(PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        if (bytes.Length != 6) throw new ArgumentException($"{Name}: a receive address has 6 bytes, not {bytes.Length}", nameof(address));
        WriteRegister(Registers.Ral0, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        WriteRegister(Registers.Rah0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)) | 0x8000_0000u);
    }

    // ---- option ROM ----------------------------------------------------------------------------------

    /// <summary>Size of the expansion ROM region, 0 when there is none.</summary>
    public ulong RomSize => _mapping.RomSize;

    /// <summary>Reads the expansion ROM at <paramref name="offset"/>.</summary>
    /// <exception cref="InvalidOperationException">The device exposes no ROM.</exception>
    /// <exception cref="VfioException">The read failed or leaves the ROM.</exception>
    public void ReadRom(ulong offset, Span<byte> destination) => _mapping.ReadRom(offset, destination);

    /// <summary>
    /// Reads and checks the ROM's first image: the 0x55 0xAA signature, a PCI data structure ("PCIR") naming this
    /// function's vendor and device, an image length inside the ROM, and bytes that sum to zero.
    /// </summary>
    /// <exception cref="InvalidDataException">A check failed; the message says which and what was found.</exception>
    /// <exception cref="InvalidOperationException">The device exposes no ROM.</exception>
    public OptionRomImage ReadOptionRomImage()
    {
        ulong size = RomSize;
        if (size == 0)
            throw new InvalidOperationException($"{Name}: the device exposes no expansion ROM (VFIO region 6 is empty)");
        Span<byte> header = stackalloc byte[0x1A];
        ReadRom(0, header);
        if (header[0] != 0x55 || header[1] != 0xAA)
            throw new InvalidDataException($"{Name}: the ROM starts with 0x{header[0]:x2} 0x{header[1]:x2}, not the 0x55 0xAA signature; the ROM is missing or disabled");
        int imageLength = header[2] * 512;
        int pcir = BinaryPrimitives.ReadUInt16LittleEndian(header[0x18..]);
        if (imageLength == 0 || (ulong)imageLength > size || pcir + 0x18 > imageLength)
            throw new InvalidDataException($"{Name}: ROM image length {imageLength} / PCI data structure offset 0x{pcir:x} do not fit the 0x{size:x}-byte ROM");
        var image = new byte[imageLength];
        ReadRom(0, image);
        var data = image.AsSpan(pcir, 0x18);
        if (!data[..4].SequenceEqual("PCIR"u8))
            throw new InvalidDataException($"{Name}: no \"PCIR\" PCI data structure at ROM offset 0x{pcir:x}");
        var found = new OptionRomImage(
            BinaryPrimitives.ReadUInt16LittleEndian(data[16..]) * 512,
            BinaryPrimitives.ReadUInt16LittleEndian(data[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(data[6..]),
            (uint)(data[13] | data[14] << 8 | data[15] << 16),
            data[20],
            (data[21] & 0x80) != 0);
        if (found.VendorId != VendorId || found.DeviceId != DeviceId)
            throw new InvalidDataException($"{Name}: the ROM's PCI data structure names {found.VendorId:x4}:{found.DeviceId:x4}, not {VendorId:x4}:{DeviceId:x4}; it belongs to another device");
        byte sum = 0;
        foreach (byte b in image) sum += b;
        if (sum != 0)
            throw new InvalidDataException($"{Name}: the ROM's first image ({imageLength} bytes) sums to 0x{sum:x2}, not 0; the image is corrupt");
        return found;
    }

    // ---- MSI-X ---------------------------------------------------------------------------------------

    /// <summary>
    /// The MSI-X table entry of <paramref name="vector"/>, read where vfio-pci lets userspace see it: through the mapping
    /// of BAR3 (the region is MSIX_MAPPABLE, so the bus maps it whole).
    /// </summary>
    /// <exception cref="InvalidOperationException">BAR3 is not mapped over the table (the kernel traps it).</exception>
    public MsixTableEntry ReadMsixTableEntry(int vector)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vector);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(vector, MsixVectorCount);
        ulong at = (ulong)vector * 16;
        if (!_mapping.Bar(MsixBar).IsMapped(at, 16))
            throw new InvalidOperationException($"{Name}: the MSI-X table in BAR{MsixBar} is not mapped (the kernel did not report it MSIX_MAPPABLE), so its entries cannot be read");
        return new MsixTableEntry(_mapping.Read64(MsixBar, at), _mapping.Read32(MsixBar, at + 8), _mapping.Read32(MsixBar, at + 12));
    }

    /// <summary>
    /// Routes <paramref name="cause"/> to MSI-X vector <paramref name="vector"/> (its IVAR field, valid bit set), unmasks
    /// it in IMS and makes it auto-clear (EIAC), so each firing signals the vector once.
    /// </summary>
    /// <exception cref="InvalidOperationException">MSI-X is not in use.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The vector is not enabled.</exception>
    public void RouteCause(E1000eCause cause, int vector)
    {
        RequireMsix();
        if (vector < 0 || vector >= InterruptVectors)
            throw new ArgumentOutOfRangeException(nameof(vector), vector, $"{Name}: MSI-X vector {vector} is not enabled; {InterruptVectors} are (0..{InterruptVectors - 1})");
        int i = CauseIndex(cause);
        _routes[i] = vector;
        ProgramRoute(i);
    }

    private void ProgramRoute(int i)
    {
        if (_routes[i] is not int vector) return;
        uint ivar = ReadRegister(Registers.Ivar) & ~(0xFu << (4 * i));
        WriteRegister(Registers.Ivar, ivar | ((0x8u | (uint)vector) << (4 * i)));
        WriteRegister(Registers.Eiac, ReadRegister(Registers.Eiac) | CauseBits[i]);
        WriteRegister(Registers.Ims, CauseBits[i]);
    }

    /// <summary>
    /// Fires <paramref name="cause"/> through ICS (the "other" cause through a link-status change) and waits up to
    /// <paramref name="timeoutMilliseconds"/> for an interrupt; returns every vector that signalled, with its count.
    /// It first waits until <see cref="InterruptQuietTime"/> has passed since the last interrupt, so the firing is not
    /// throttled.
    /// </summary>
    /// <exception cref="InvalidOperationException">MSI-X is not in use.</exception>
    public IReadOnlyList<(int Vector, ulong Count)> FireCause(E1000eCause cause, int timeoutMilliseconds = 1000)
    {
        RequireMsix();
        uint bits = cause == E1000eCause.Other ? LinkStatusChange : CauseBits[CauseIndex(cause)];
        WaitUntilInterruptsQuiet();
        WriteRegister(Registers.Ics, bits);
        _lastInterrupt = Stopwatch.GetTimestamp();
        var fired = new List<(int, ulong)>();
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMilliseconds);
        do CollectInterrupts(fired, waitMilliseconds: 1);
        while (fired.Count == 0 && DateTime.UtcNow < deadline);
        // As an interrupt handler does: acknowledge what is left (LSC behind Other is not auto-cleared) and unmask the
        // cause again (EIAC without CTRL_EXT.IAME auto-masks it in IMS).
        WriteRegister(Registers.Icr, bits);
        int index = CauseIndex(cause);
        if (_routes[index] is not null) WriteRegister(Registers.Ims, CauseBits[index]);
        return fired;
    }

    /// <summary>Consumes what every enabled vector counted so far, without waiting; returns the vectors that had fired.</summary>
    public IReadOnlyList<(int Vector, ulong Count)> DrainInterrupts()
    {
        var fired = new List<(int, ulong)>();
        CollectInterrupts(fired, waitMilliseconds: 0);
        return fired;
    }

    // Reads every enabled vector's eventfd, waiting up to waitMilliseconds on each until one has fired (the device
    // signals every vector of one ICS write at once, so after the first all have arrived), and notes when.
    private void CollectInterrupts(List<(int, ulong)> fired, int waitMilliseconds)
    {
        int before = fired.Count;
        for (int v = 0; v < InterruptVectors; v++)
        {
            ulong n = _mapping.WaitForInterrupt(v, fired.Count == 0 ? waitMilliseconds : 0);
            if (n > 0) fired.Add((v, n));
        }
        if (fired.Count > before) _lastInterrupt = Stopwatch.GetTimestamp();
    }

    private void RequireMsix()
    {
        if (InterruptIndex != 2 || InterruptVectors == 0)
            throw new InvalidOperationException($"{Name}: MSI-X is not in use (interrupt index {InterruptIndex}); start EAL with --vfio-intr=msix or leave --vfio-intr out");
    }

    private static int CauseIndex(E1000eCause cause) =>
        cause is >= E1000eCause.RxQueue0 and <= E1000eCause.Other ? (int)cause : throw new ArgumentOutOfRangeException(nameof(cause), cause, "not an MSI-X cause of the 82574");

    // ---- resets --------------------------------------------------------------------------------------

    /// <summary>
    /// Software reset (CTRL.RST, self-clearing): waits until the bit reads 0; the receive address returns to the NVM's MAC.
    /// Interrupt routing programmed with <see cref="RouteCause"/> is written again afterwards.
    /// </summary>
    /// <exception cref="TimeoutException">CTRL.RST did not clear within <see cref="Timeout"/>.</exception>
    public void SoftwareReset()
    {
        WriteRegister(Registers.Imc, uint.MaxValue);
        WriteRegister(Registers.Ctrl, ReadRegister(Registers.Ctrl) | CtrlRst);
        WaitFor(Registers.Ctrl, v => (v & CtrlRst) == 0, "CTRL.RST to clear after a software reset");
        Reprogram();
    }

    /// <summary>
    /// Function reset through VFIO (<c>VFIO_DEVICE_RESET</c>; for this function a PCI power-management reset), then a
    /// software reset so the registers start from the device's defaults whatever the function reset did, with the
    /// interrupt vectors and routes set up again. Returns false when the kernel offers no reset.
    /// </summary>
    /// <exception cref="VfioException">The kernel refused the reset.</exception>
    /// <exception cref="TimeoutException">The device did not come back within <see cref="Timeout"/>.</exception>
    public bool Reset()
    {
        WriteRegister(Registers.Imc, uint.MaxValue);
        // PciMappedDevice.Reset disables the vectors around the reset.
        WaitUntilInterruptsQuiet();
        if (!_mapping.Reset()) return false;
        SoftwareReset();
        return true;
    }

    private void Reprogram()
    {
        // Leftover causes from before the reset must not fire on the re-armed vectors.
        WriteRegister(Registers.Icr, uint.MaxValue);
        ProgramThrottling();
        if (InterruptIndex == 2)
        {
            for (int i = 0; i < _routes.Length; i++) ProgramRoute(i);
            DrainInterrupts();
        }
    }

    private uint WaitFor(int register, Func<uint, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            uint v = ReadRegister(register);
            if (done(v)) return v;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name}: timed out after {Timeout.TotalMilliseconds:0} ms waiting for {what} (register 0x{register:x4} reads 0x{v:x8})");
            Thread.Yield();
        }
    }
}

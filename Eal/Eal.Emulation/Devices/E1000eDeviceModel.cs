using System.Buffers.Binary;
using static Eal.Emulation.Devices.PciConfigRegisters;

namespace Eal.Emulation.Devices;

/// <summary>
/// QEMU 7.2's <c>e1000e</c> (Intel 82574L, 8086:10d3) as vfio-pci shows it on Linux 6.12, for the parts a driver
/// touches without moving packets: the register file's interrupt and identification registers, the EEPROM read
/// register, the I/O-port window, MSI-X delivery per IVAR, the option ROM. Behaviour was read from QEMU's
/// <c>hw/net/e1000e_core.c</c> and checked against the real device in the VM (see docs/e1000e.md).
/// <list type="table">
/// <item><term>BAR0</term><description>128 KiB registers, trapped (QEMU's are mmapable; emulated MMIO cannot trap loads, so reads that clear — ICR — need pread)</description></item>
/// <item><term>BAR1</term><description>128 KiB flash window, mmapable, reads zero (QEMU's is a dummy region)</description></item>
/// <item><term>BAR2</term><description>32-byte I/O ports: IOADDR at 0x0 selects a register, IODATA at 0x4 reads/writes it</description></item>
/// <item><term>BAR3</term><description>16 KiB, MSI-X table (5 vectors) at 0, mmapable whole (vfio-pci's MSIX_MAPPABLE)</description></item>
/// <item><term>ROM</term><description>256 KiB: one small legacy option-ROM image (0x55 0xAA, PCIR naming 8086:10d3), padded with 0xFF</description></item>
/// </list>
/// Interrupts: INTx, MSI ×1, MSI-X ×5. In MSI-X mode each cause (RxQ0, RxQ1, TxQ0, TxQ1, Other) goes to the vector its
/// IVAR field names when the field's valid bit is set; EIAC auto-clears the cause in ICR (and IMS, unless
/// CTRL_EXT.IAME), and a cause already signalled is not signalled again until ICR drops it — as QEMU does.
/// Interrupt throttling (ITR/EITR) is not modelled: every notification is immediate.
/// A VFIO reset is a PCI power-management reset (the function has no FLR); QEMU 7.2 ignores the power-state change,
/// so the MAC registers keep their values across it — only CTRL.RST restores the MAC address, as on QEMU.
/// </summary>
public sealed class E1000eDeviceModel : PciFunctionModel, IPciDeviceModel
{
    /// <summary>PCI vendor id (Intel).</summary>
    public const ushort VendorId = 0x8086;
    /// <summary>PCI device id of the 82574L.</summary>
    public const ushort DeviceId = 0x10d3;
    /// <summary>The machine-spec key that adds such functions (<c>e1000e=N</c>).</summary>
    public const string SpecKey = "e1000e";
    /// <summary>Size of BAR0 (registers) and BAR1 (flash).</summary>
    public const ulong RegisterBarSize = 0x20000;
    /// <summary>Size of the I/O-port BAR2.</summary>
    public const ulong IoBarSize = 32;
    /// <summary>Size of BAR3 (MSI-X).</summary>
    public const ulong MsixBarSize = 0x4000;
    /// <summary>MSI-X vectors.</summary>
    public const int MsixVectors = 5;
    /// <summary>Size of the option-ROM region.</summary>
    public const int RomSize = 0x40000;
    /// <summary>Words of the EEPROM.</summary>
    public const int EepromWords = 64;

    /// <summary>Register offsets in BAR0 (byte addresses).</summary>
    public static class Registers
    {
        /// <summary>Device control.</summary>
        public const int Ctrl = 0x0000;
        /// <summary>Device status (read-only but PHYRA).</summary>
        public const int Status = 0x0008;
        /// <summary>EEPROM/flash control.</summary>
        public const int Eecd = 0x0010;
        /// <summary>EEPROM read: write address &lt;&lt; 2 | START, read data &lt;&lt; 16 | address &lt;&lt; 2 | DONE.</summary>
        public const int Eerd = 0x0014;
        /// <summary>Extended device control.</summary>
        public const int CtrlExt = 0x0018;
        /// <summary>Interrupt cause read (clears when IMS is 0, or with CTRL_EXT.IAME once asserted; write 1 to clear).</summary>
        public const int Icr = 0x00C0;
        /// <summary>Interrupt throttling (reads back what was written; not modelled).</summary>
        public const int Itr = 0x00C4;
        /// <summary>Interrupt cause set (reads as ICR did before the last MSI-X auto-clear).</summary>
        public const int Ics = 0x00C8;
        /// <summary>Interrupt mask set/read.</summary>
        public const int Ims = 0x00D0;
        /// <summary>Interrupt mask clear.</summary>
        public const int Imc = 0x00D8;
        /// <summary>Extended interrupt auto clear.</summary>
        public const int Eiac = 0x00DC;
        /// <summary>Interrupt acknowledge auto mask.</summary>
        public const int Iam = 0x00E0;
        /// <summary>Interrupt vector allocation (MSI-X): 4-bit fields RxQ0, RxQ1, TxQ0, TxQ1, Other; bit 3 of each = valid.</summary>
        public const int Ivar = 0x00E4;
        /// <summary>Per-vector throttling, 5 registers (read back what was written; not modelled).</summary>
        public const int Eitr0 = 0x00E8;
        /// <summary>Receive address low 0 (the MAC address bytes 0-3).</summary>
        public const int Ral0 = 0x5400;
        /// <summary>Receive address high 0 (bytes 4-5, bit 31 address valid).</summary>
        public const int Rah0 = 0x5404;
        /// <summary>I/O BAR: the register address for IODATA.</summary>
        public const int IoAddr = 0x0;
        /// <summary>I/O BAR: the register selected by IOADDR.</summary>
        public const int IoData = 0x4;
    }

    /// <summary>Interrupt cause bits (ICR, ICS, IMS, IMC, EIAC, IAM).</summary>
    public static class Causes
    {
        /// <summary>Link status change (an "other" cause).</summary>
        public const uint Lsc = 1u << 2;
        /// <summary>Receive queue 0.</summary>
        public const uint RxQ0 = 1u << 20;
        /// <summary>Receive queue 1.</summary>
        public const uint RxQ1 = 1u << 21;
        /// <summary>Transmit queue 0.</summary>
        public const uint TxQ0 = 1u << 22;
        /// <summary>Transmit queue 1.</summary>
        public const uint TxQ1 = 1u << 23;
        /// <summary>Other causes (MSI-X).</summary>
        public const uint Other = 1u << 24;
        /// <summary>ICR: an interrupt is asserted (set whenever any cause is).</summary>
        public const uint Asserted = 1u << 31;
    }

    private const uint CtrlGioMasterDisable = 1u << 2, CtrlFrcSpd = 1u << 11, CtrlFrcDpx = 1u << 12, CtrlRst = 1u << 26, CtrlPhyRst = 1u << 31;
    private const uint CtrlFd = 1u << 0, CtrlSlu = 1u << 6, CtrlSpd1000 = 2u << 8, CtrlSwdpin0 = 1u << 18, CtrlAdvd3wuc = 1u << 20;
    private const uint StatusFd = 1u << 0, StatusLu = 1u << 1, StatusSpeed100 = 1u << 6, StatusSpeed1000 = 2u << 6, StatusAsdv1000 = 2u << 8,
        StatusPhyra = 1u << 10, StatusGioMasterEnable = 1u << 19;
    private const uint CtrlExtSpdByps = 1u << 15, CtrlExtAsdchk = 1u << 12, CtrlExtEeRst = 1u << 13, CtrlExtEiame = 1u << 24, CtrlExtIame = 1u << 27;
    private const uint EecdPres = 1u << 8, EecdAutoRd = 1u << 9, EecdSizeExMask = 3u << 11;
    private const uint EerdStart = 1u, EerdDone = 1u << 1;
    private const uint OtherCauses = Causes.Lsc | (1u << 6) | (1u << 9) | (1u << 16) | (1u << 17) | (1u << 18); // LSC RXO MDAC SRPD ACK MNG
    private const uint ImsValid = 0x0000_8000 | (1u << 0) | (1u << 1) | (1u << 4) | (1u << 7) | OtherCauses
        | Causes.RxQ0 | Causes.RxQ1 | Causes.TxQ0 | Causes.TxQ1 | Causes.Other;
    private const int IoRegisterLimit = 0x1FFFF;

    // Registers QEMU stores as written (everything else it does not implement reads 0 and ignores writes).
    private static readonly (int Start, int End)[] PlainRanges =
    [
        (0x0100, 0x0104), (0x0400, 0x0404),   // RCTL, TCTL
        (0x2800, 0x2820), (0x3800, 0x3820),   // receive / transmit ring 0 registers
        (0x5200, 0x5400),                     // multicast table
        (0x5400, 0x5480),                     // receive addresses
        (0x5600, 0x5800),                     // VLAN filter table
    ];

    private readonly byte[] _permanentMac;
    private readonly ushort[] _eeprom = new ushort[EepromWords];
    private readonly byte[] _rom;
    private readonly Dictionary<int, uint> _plain = [];
    private readonly uint[] _eitr = new uint[MsixVectors];
    private readonly List<int> _raise = [];
    private uint _ctrl, _status, _ctrlExt, _eecd, _eerd, _icr, _ics, _ims, _eiac, _iam, _ivar, _itr, _ioAddr, _msiCausesPending;

    /// <summary>Creates the model of <paramref name="description"/> (usually from <see cref="Describe"/>) with MAC address <paramref name="macAddress"/> (QEMU's default 52:54:00:12:34:56 when null).</summary>
    /// <exception cref="ArgumentException">The description is not QEMU's e1000e layout, or the MAC address is not 6 bytes of a unicast address.</exception>
    public E1000eDeviceModel(PciFunctionDescription description, ReadOnlySpan<byte> macAddress = default)
        : base(Check(description), new PciFunctionModelOptions
        {
            MsiVectors = 1,
            CanReset = true,
            MmapAreas = new Dictionary<int, IReadOnlyList<(ulong, ulong)>>
            {
                [0] = [],
                [1] = [(0, RegisterBarSize)],
                [3] = [(0, MsixBarSize)],
            },
        })
    {
        if (macAddress.IsEmpty) macAddress = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
        if (macAddress.Length != 6 || (macAddress[0] & 1) != 0)
            throw new ArgumentException($"{Address}: MAC address {Convert.ToHexString(macAddress)} is not a 6-byte unicast address; give one whose first byte is even, e.g. 52:54:00:12:34:56", nameof(macAddress));
        _permanentMac = macAddress.ToArray();
        BuildEeprom();
        _rom = BuildOptionRom();
        PowerOn();
    }

    /// <summary>The permanent MAC address (EEPROM words 0-2).</summary>
    public ReadOnlySpan<byte> PermanentMacAddress => _permanentMac;

    /// <summary>The option-ROM region's contents (<see cref="RomSize"/> bytes), as vfio-pci serves them through region 6.</summary>
    public ReadOnlySpan<byte> OptionRom => _rom;

    /// <summary>The expansion ROM the emulated kernel serves as VFIO region 6: the whole <see cref="RomSize"/>-byte ROM BAR.</summary>
    public ulong ExpansionRomSize => RomSize;

    /// <summary>Reads the option ROM at <paramref name="offset"/> (what a kernel serving VFIO region 6 calls).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the ROM.</exception>
    public void ReadRom(ulong offset, Span<byte> destination)
    {
        if (offset > RomSize || (ulong)destination.Length > RomSize - offset)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Address}: ROM read of {destination.Length} bytes at 0x{offset:x} is outside the 0x{RomSize:x}-byte ROM");
        _rom.AsSpan((int)offset, destination.Length).CopyTo(destination);
    }

    /// <summary>
    /// The description of QEMU's e1000e at <paramref name="address"/>: 8086:10d3, subsystem 8086:0000, class 0x020000,
    /// revision 0, 4 KiB config space, BAR0/BAR1 128 KiB 32-bit memory, BAR2 32-byte I/O, BAR3 16 KiB holding the MSI-X table.
    /// </summary>
    public static PciFunctionDescription Describe(string address, string? driver = "vfio-pci", int? iommuGroup = null, int? vfioCdev = null, int numaNode = 0, int index = 0) => new()
    {
        Address = address,
        VendorId = VendorId,
        DeviceId = DeviceId,
        SubsystemVendorId = VendorId,
        SubsystemDeviceId = 0,
        ClassCode = 0x020000,
        Revision = 0,
        NumaNode = numaNode,
        Driver = driver,
        IommuGroup = iommuGroup,
        VfioCdev = vfioCdev,
        MsixVectors = MsixVectors,
        MsixTableBar = 3,
        MsixTableOffset = 0,
        ConfigSpaceSize = 4096,
        Bars =
        [
            new PciBarDescription { Index = 0, Address = 0xFE80_0000UL + ((ulong)index << 20), Size = RegisterBarSize, Flags = PciBarFlags.Memory },
            new PciBarDescription { Index = 1, Address = 0xFE82_0000UL + ((ulong)index << 20), Size = RegisterBarSize, Flags = PciBarFlags.Memory },
            new PciBarDescription { Index = 2, Address = 0xC000UL + ((ulong)index << 6), Size = IoBarSize, Flags = PciBarFlags.Io },
            new PciBarDescription { Index = 3, Address = 0xFE84_0000UL + ((ulong)index << 20), Size = MsixBarSize, Flags = PciBarFlags.Memory },
        ],
    };

    private static PciFunctionDescription Check(PciFunctionDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        bool Bar(int i, ulong size, bool io) => d.Bars.Any(b => b.Index == i && b.Size == size && ((b.Flags & PciBarFlags.Io) != 0) == io && (b.Flags & PciBarFlags.Memory64) == 0);
        if (!Bar(0, RegisterBarSize, false) || !Bar(1, RegisterBarSize, false) || !Bar(2, IoBarSize, true) || !Bar(3, MsixBarSize, false)
            || d.MsixVectors != MsixVectors || d.MsixTableBar != 3 || d.MsixTableOffset != 0 || d.ConfigSpaceSize != 4096)
            throw new ArgumentException($"{d.Address}: an e1000e function needs BAR0/BAR1 of 128 KiB 32-bit memory, BAR2 of 32 I/O ports, BAR3 of 16 KiB with {MsixVectors} MSI-X vectors at offset 0 and 4 KiB config space; build it with E1000eDeviceModel.Describe", nameof(d));
        return d;
    }

    // ---- power-on state ------------------------------------------------------------------------------

    private void PowerOn()
    {
        _ctrl = CtrlFd | CtrlSlu | CtrlSpd1000 | CtrlSwdpin0 | CtrlAdvd3wuc;
        _status = StatusAsdv1000 | StatusLu;
        _ctrlExt = _icr = _ics = _ims = _eiac = _iam = _ivar = _itr = _ioAddr = _msiCausesPending = 0;
        _eecd = EecdAutoRd | EecdPres;
        _eerd = EerdDone;
        Array.Clear(_eitr);
        _plain.Clear();
        RestoreMacAddress();
    }

    private void RestoreMacAddress()
    {
        _plain[Registers.Ral0] = BinaryPrimitives.ReadUInt32LittleEndian(_permanentMac);
        _plain[Registers.Rah0] = BinaryPrimitives.ReadUInt16LittleEndian(_permanentMac.AsSpan(4)) | 0x8000_0000u;
    }

    // The 82574 NVM words a driver reads: MAC address (0-2), subsystem ids (0x0B, 0x0C), device and vendor ids
    // (0x0D, 0x0E), and the checksum word (0x3F) that makes words 0..0x3F sum to 0xBABA. The rest reads as erased.
    private void BuildEeprom()
    {
        Array.Fill(_eeprom, (ushort)0xFFFF);
        for (int i = 0; i < 3; i++) _eeprom[i] = BinaryPrimitives.ReadUInt16LittleEndian(_permanentMac.AsSpan(2 * i));
        _eeprom[0x0B] = (ushort)Description.SubsystemDeviceId;
        _eeprom[0x0C] = (ushort)Description.SubsystemVendorId;
        _eeprom[0x0D] = DeviceId;
        _eeprom[0x0E] = VendorId;
        ushort sum = 0;
        for (int i = 0; i < EepromWords - 1; i++) sum += _eeprom[i];
        _eeprom[EepromWords - 1] = (ushort)(0xBABA - sum);
    }

    // One 512-byte legacy image: signature, size in 512-byte units, a far return as its entry point, a PCI data
    // structure naming the function, an identifying string and a checksum byte; the rest of the region is 0xFF.
    private byte[] BuildOptionRom()
    {
        var rom = new byte[RomSize];
        rom.AsSpan().Fill(0xFF);
        var image = rom.AsSpan(0, 512);
        image.Clear();
        image[0] = 0x55;
        image[1] = 0xAA;
        image[2] = 1;     // 1 × 512 bytes
        image[3] = 0xCB;  // RETF: initialising the image does nothing
        const int Pcir = 0x1C;
        BinaryPrimitives.WriteUInt16LittleEndian(image[0x18..], Pcir);
        "PCIR"u8.CopyTo(image[Pcir..]);
        BinaryPrimitives.WriteUInt16LittleEndian(image[(Pcir + 4)..], VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(image[(Pcir + 6)..], DeviceId);
        BinaryPrimitives.WriteUInt16LittleEndian(image[(Pcir + 10)..], 0x18); // structure length
        image[Pcir + 12] = 3;                                                // PCI 3.0 data structure
        image[Pcir + 13] = 0x00;                                             // class code 0x020000, low byte first
        image[Pcir + 14] = 0x00;
        image[Pcir + 15] = 0x02;
        BinaryPrimitives.WriteUInt16LittleEndian(image[(Pcir + 16)..], 1);  // image length in 512-byte units
        image[Pcir + 20] = 0x00;                                             // code type: x86 BIOS
        image[Pcir + 21] = 0x80;                                             // last image
        "EAL emulated e1000e option ROM"u8.CopyTo(image[0x40..]);
        byte sum = 0;
        foreach (byte b in image) sum += b;
        image[511] = (byte)(0 - sum);
        return rom;
    }

    // ---- register access -----------------------------------------------------------------------------

    /// <summary>A trapped read: <see cref="PciFunctionModel.ReadBar"/>, then the interrupts the read made due (an ICR read can).</summary>
    public new void ReadBar(int bar, ulong offset, Span<byte> destination)
    {
        base.ReadBar(bar, offset, destination);
        DeliverRaised();
    }

    /// <summary>A trapped write: <see cref="PciFunctionModel.WriteBar"/>, then the interrupts it raised, signalled outside the function's lock.</summary>
    public new void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        base.WriteBar(bar, offset, source);
        DeliverRaised();
    }

    /// <inheritdoc />
    protected override void ReadBarCore(int bar, ulong offset, Span<byte> destination)
    {
        if (bar is not (0 or 2))
        {
            base.ReadBarCore(bar, offset, destination);
            return;
        }
        // QEMU implements 4-byte accesses only: other sizes are served from the 32-bit registers they overlap.
        foreach (var (register, shift, done, count) in Dwords(offset, destination.Length))
        {
            uint value = bar == 0 ? ReadRegister(register) : ReadIo(register);
            for (int i = 0; i < count; i++) destination[done + i] = (byte)(value >> (8 * (shift + i)));
        }
    }

    /// <inheritdoc />
    protected override void WriteBarCore(int bar, ulong offset, ReadOnlySpan<byte> source)
    {
        if (bar is not (0 or 2))
        {
            base.WriteBarCore(bar, offset, source);
            return;
        }
        // A narrower write reaches the 32-bit register with the other bytes zero, as QEMU's size adjustment does.
        foreach (var (register, shift, done, count) in Dwords(offset, source.Length))
        {
            uint value = 0;
            for (int i = 0; i < count; i++) value |= (uint)source[done + i] << (8 * (shift + i));
            if (bar == 0) WriteRegister(register, value);
            else WriteIo(register, value);
        }
    }

    /// <summary>The 32-bit registers an access overlaps: register offset, first byte in it, bytes done before, bytes in it.</summary>
    private static IEnumerable<(int Register, int Shift, int Done, int Count)> Dwords(ulong offset, int length)
    {
        for (int done = 0; done < length;)
        {
            ulong at = offset + (ulong)done;
            int shift = (int)(at & 3);
            int count = Math.Min(4 - shift, length - done);
            yield return ((int)(at & ~3ul), shift, done, count);
            done += count;
        }
    }

    private uint ReadIo(int offset) => offset switch
    {
        Registers.IoAddr => _ioAddr,
        Registers.IoData when _ioAddr < IoRegisterLimit => ReadRegister((int)(_ioAddr & ~3u)),
        _ => 0,
    };

    private void WriteIo(int offset, uint value)
    {
        if (offset == Registers.IoAddr) _ioAddr = value;
        else if (offset == Registers.IoData && _ioAddr < IoRegisterLimit) WriteRegister((int)(_ioAddr & ~3u), value);
    }

    private uint ReadRegister(int offset)
    {
        switch (offset)
        {
            case Registers.Ctrl: return _ctrl;
            case Registers.Status: return StatusValue();
            case Registers.Eecd: return _eecd;
            case Registers.Eerd: return _eerd;
            case Registers.CtrlExt: return _ctrlExt;
            case Registers.Icr: return ReadIcr();
            case Registers.Itr: return _itr;
            case Registers.Ics: return _ics; // QEMU's copy of ICR, taken before MSI-X auto-clear, read without clearing
            case Registers.Ims: return _ims;
            case Registers.Eiac: return _eiac;
            case Registers.Iam: return _iam;
            case Registers.Ivar: return _ivar;
            case >= Registers.Eitr0 and < Registers.Eitr0 + 4 * MsixVectors: return _eitr[(offset - Registers.Eitr0) / 4];
            default: return _plain.GetValueOrDefault(offset);
        }
    }

    private void WriteRegister(int offset, uint value)
    {
        switch (offset)
        {
            case Registers.Ctrl:
                _ctrl = value & ~CtrlRst; // self-clearing
                if ((value & CtrlRst) != 0) RestoreMacAddress(); // QEMU's software reset restores only the MAC address
                if ((value & CtrlPhyRst) != 0) _status |= StatusPhyra;
                break;
            case Registers.Status:
                if ((value & StatusPhyra) == 0) _status &= ~StatusPhyra;
                break;
            case Registers.Eecd:
                const uint ro = EecdPres | EecdAutoRd | EecdSizeExMask;
                _eecd = (_eecd & ro) | (value & ~ro);
                break;
            case Registers.Eerd:
                uint address = (value >> 2) & 0x3FFF;
                bool read = address < EepromWords && (value & EerdStart) != 0;
                _eerd = (read ? EerdDone | ((uint)_eeprom[address] << 16) : 0) | (address << 2);
                break;
            case Registers.CtrlExt:
                _ctrlExt = value & ~(CtrlExtAsdchk | CtrlExtEeRst);
                break;
            case Registers.Icr:
                if ((_icr & Causes.Asserted) != 0 && (_ctrlExt & CtrlExtIame) != 0) _ims &= ~_iam;
                uint icr = _icr & ~value;
                // Clearing Other clears the causes it summarises.
                _icr = (value & Causes.Other) != 0 ? icr & ~OtherCauses : icr;
                UpdateInterruptState();
                break;
            case Registers.Itr:
                _itr = value & 0xFFFF;
                break;
            case Registers.Ics:
                _icr |= value;
                UpdateInterruptState();
                break;
            case Registers.Ims:
                _ims |= value & ImsValid;
                UpdateInterruptState();
                break;
            case Registers.Imc:
                _ims &= ~value;
                UpdateInterruptState();
                break;
            case Registers.Eiac: _eiac = value; break;
            case Registers.Iam: _iam = value; break;
            case Registers.Ivar: _ivar = value; break;
            case >= Registers.Eitr0 and < Registers.Eitr0 + 4 * MsixVectors:
                _eitr[(offset - Registers.Eitr0) / 4] = value & 0xFFFF;
                break;
            default:
                // Unimplemented registers ignore writes and read 0, as on QEMU.
                if (IsPlain(offset)) _plain[offset] = value;
                break;
        }
    }

    private static bool IsPlain(int offset)
    {
        foreach (var (start, end) in PlainRanges)
            if (offset >= start && offset < end) return true;
        return false;
    }

    private uint StatusValue()
    {
        uint s = _status;
        if ((_ctrl & CtrlGioMasterDisable) == 0) s |= StatusGioMasterEnable;
        if ((_ctrl & CtrlFrcDpx) == 0 || (_ctrl & CtrlFd) != 0) s |= StatusFd;
        bool forced = (_ctrl & CtrlFrcSpd) != 0 || (_ctrlExt & CtrlExtSpdByps) != 0;
        s |= !forced ? StatusSpeed1000 : ((_ctrl >> 8) & 3) switch { 0 => 0u, 1 => StatusSpeed100, _ => StatusSpeed1000 };
        return s;
    }

    private uint ReadIcr()
    {
        uint value = _icr;
        if (_ims == 0) _icr = 0;
        if ((_icr & Causes.Asserted) != 0 && (_ctrlExt & CtrlExtIame) != 0)
        {
            _icr = 0;
            _ims &= ~_iam;
        }
        UpdateInterruptState();
        return value;
    }

    // ---- interrupts ----------------------------------------------------------------------------------

    private bool MessageEnabled(int capability, ushort enableBit)
    {
        if (capability == 0) return false;
        Span<byte> control = stackalloc byte[2];
        ReadConfig(capability + 2, control);
        return (BinaryPrimitives.ReadUInt16LittleEndian(control) & enableBit) != 0;
    }

    // QEMU's e1000e_update_interrupt_state, under the lock; the vectors to signal are queued for DeliverRaised.
    private void UpdateInterruptState()
    {
        bool msix = MessageEnabled(MsixCapabilityOffset, MsixEnable);
        if (msix && (_icr & OtherCauses) != 0) _icr |= Causes.Other;
        _icr &= ~Causes.Asserted;
        if (_icr != 0) _icr |= Causes.Asserted;
        _ics = _icr;
        bool pending = (_ims & _icr) != 0;
        if (!pending) _msiCausesPending = 0;
        if (msix || MessageEnabled(MsiCapabilityOffset, MsiEnable))
        {
            if (pending) SendMessage(msix);
        }
        else if (pending)
        {
            _raise.Add(0);
        }
        else
        {
            LowerIntx();
        }
    }

    private void SendMessage(bool msix)
    {
        uint causes = _icr & _ims & ~Causes.Asserted;
        // A cause already signalled and still set is not signalled again.
        _msiCausesPending &= causes;
        causes ^= _msiCausesPending;
        if (causes == 0) return;
        _msiCausesPending |= causes;
        if (!msix)
        {
            _raise.Add(0);
            return;
        }
        // The five MSI-X causes and their IVAR fields, in QEMU's order.
        ReadOnlySpan<uint> order = [Causes.RxQ0, Causes.RxQ1, Causes.TxQ0, Causes.TxQ1, Causes.Other];
        for (int i = 0; i < order.Length; i++)
            if ((causes & order[i]) != 0) NotifyVector(order[i], (_ivar >> (4 * i)) & 0xF);
    }

    private void NotifyVector(uint cause, uint field)
    {
        // An invalid field (bit 3 clear) or a vector past the table signals nothing; auto-clear applies either way.
        if ((field & 0x8) != 0 && (field & 0x7) < MsixVectors) _raise.Add((int)(field & 0x7));
        if ((_ctrlExt & CtrlExtEiame) != 0) _iam &= ~cause;
        uint autoClear = _eiac & cause;
        _icr &= ~autoClear;
        _msiCausesPending &= ~autoClear;
        if ((_ctrlExt & CtrlExtIame) == 0) _ims &= ~autoClear;
    }

    private void DeliverRaised()
    {
        int[] vectors;
        lock (Gate)
        {
            if (_raise.Count == 0) return;
            vectors = [.. _raise];
            _raise.Clear();
        }
        // Signalled outside the lock: the sink takes the kernel's locks, which must not nest inside ours.
        foreach (int v in vectors) RaiseInterrupt(v);
    }

    /// <summary>
    /// A power-management reset, which is what VFIO_DEVICE_RESET does to this function (it has no FLR): config space
    /// returns to power-on state, the MAC registers do not — QEMU 7.2 ignores the power-state change.
    /// </summary>
    protected override void OnReset()
    {
        _raise.Clear();
        _msiCausesPending = 0;
    }
}

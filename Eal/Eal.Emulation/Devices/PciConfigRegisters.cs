namespace Eal.Emulation.Devices;

/// <summary>Offsets and bits of PCI configuration space that the device models implement (PCI Local Bus 3.0, PCIe 4.0).</summary>
public static class PciConfigRegisters
{
    /// <summary>Vendor id (16-bit, read-only).</summary>
    public const int VendorId = 0x00;
    /// <summary>Device id (16-bit, read-only).</summary>
    public const int DeviceId = 0x02;
    /// <summary>Command register (16-bit).</summary>
    public const int Command = 0x04;
    /// <summary>Status register (16-bit; error bits are write-1-to-clear).</summary>
    public const int Status = 0x06;
    /// <summary>Revision id (8-bit, read-only).</summary>
    public const int Revision = 0x08;
    /// <summary>Class code (24-bit at 0x09, read-only).</summary>
    public const int ClassCode = 0x09;
    /// <summary>Cache line size (8-bit, read-write).</summary>
    public const int CacheLineSize = 0x0C;
    /// <summary>Latency timer (8-bit, read-write).</summary>
    public const int LatencyTimer = 0x0D;
    /// <summary>BAR0; BAR n is at <c>0x10 + 4 n</c>.</summary>
    public const int Bar0 = 0x10;
    /// <summary>Subsystem vendor id (16-bit, read-only).</summary>
    public const int SubsystemVendorId = 0x2C;
    /// <summary>Subsystem id (16-bit, read-only).</summary>
    public const int SubsystemId = 0x2E;
    /// <summary>Capabilities pointer (8-bit, read-only).</summary>
    public const int CapabilitiesPointer = 0x34;
    /// <summary>Interrupt line (8-bit, read-write).</summary>
    public const int InterruptLine = 0x3C;
    /// <summary>Interrupt pin (8-bit, read-only; 1 = INTA#).</summary>
    public const int InterruptPin = 0x3D;

    /// <summary>Command: I/O space decoding.</summary>
    public const ushort CommandIo = 0x0001;
    /// <summary>Command: memory space decoding.</summary>
    public const ushort CommandMemory = 0x0002;
    /// <summary>Command: bus master (the function may issue DMA).</summary>
    public const ushort CommandMaster = 0x0004;
    /// <summary>Command: parity error response.</summary>
    public const ushort CommandParity = 0x0040;
    /// <summary>Command: SERR# enable.</summary>
    public const ushort CommandSerr = 0x0100;
    /// <summary>Command: INTx emulation disable.</summary>
    public const ushort CommandIntxDisable = 0x0400;

    /// <summary>Status: INTx asserted (read-only).</summary>
    public const ushort StatusInterrupt = 0x0008;
    /// <summary>Status: capability list present (read-only).</summary>
    public const ushort StatusCapabilityList = 0x0010;
    /// <summary>Status bits that are write-1-to-clear (parity, aborts, SERR).</summary>
    public const ushort StatusWriteOneToClear = 0xF900;

    /// <summary>Capability id of power management.</summary>
    public const byte CapabilityPowerManagement = 0x01;
    /// <summary>Capability id of MSI.</summary>
    public const byte CapabilityMsi = 0x05;
    /// <summary>Capability id of PCI Express.</summary>
    public const byte CapabilityPciExpress = 0x10;
    /// <summary>Capability id of MSI-X.</summary>
    public const byte CapabilityMsix = 0x11;

    /// <summary>MSI message control: MSI enable.</summary>
    public const ushort MsiEnable = 0x0001;
    /// <summary>MSI message control: 64-bit address capable.</summary>
    public const ushort Msi64Bit = 0x0080;
    /// <summary>MSI message control: per-vector masking capable.</summary>
    public const ushort MsiPerVectorMask = 0x0100;
    /// <summary>MSI-X message control: function mask.</summary>
    public const ushort MsixFunctionMask = 0x4000;
    /// <summary>MSI-X message control: MSI-X enable.</summary>
    public const ushort MsixEnable = 0x8000;
    /// <summary>MSI-X table entry vector control: masked.</summary>
    public const uint MsixVectorMasked = 0x1;
    /// <summary>Size of one MSI-X table entry.</summary>
    public const int MsixEntrySize = 16;

    /// <summary>PCIe device capabilities: function-level reset capable.</summary>
    public const uint PcieDevCapFlr = 1u << 28;
    /// <summary>PCIe device control: initiate function-level reset (reads as 0).</summary>
    public const ushort PcieDevCtlInitiateFlr = 0x8000;

    /// <summary>Finds capability <paramref name="id"/> by walking the list in <paramref name="config"/>; 0 when absent.</summary>
    public static int FindCapability(ReadOnlySpan<byte> config, byte id)
    {
        if (config.Length < 0x40 || (config[Status] & StatusCapabilityList) == 0) return 0;
        int at = config[CapabilitiesPointer] & ~3;
        for (int hops = 0; at >= 0x40 && at < Math.Min(config.Length, 256) - 1 && hops < 48; hops++)
        {
            if (config[at] == id) return at;
            at = config[at + 1] & ~3;
        }
        return 0;
    }
}

using System.Buffers.Binary;
using Eal.Emulation.Devices;
using static Eal.Emulation.Devices.PciConfigRegisters;

namespace Eal.Emulation.Kernel;

// What vfio-pci does to the function's own config space at first open (decoding on), and the MSI and MSI-X message
// control words, as Linux 6.12's vfio-pci presents them (measured on the VM's kernel with
// QEMU's edu and e1000e, see docs/emulated-kernel.md):
// - VFIO_DEVICE_SET_IRQS enabling MSI or MSI-X sets the enable bit in the function's (hardware) config space, as the
//   PCI core does when vfio-pci allocates the vectors; disabling clears it. The device model sees the real state, so
//   its interrupts route through the enabled mechanism with no help from userspace.
// - MSI-X control reads come from the hardware (enable reads 1 exactly while SET_IRQS has MSI-X on); userspace
//   writes to it are dropped.
// - MSI control is virtualized: userspace reads the last value it wrote, never what SET_IRQS did. A write reaches the
//   hardware too, with the enable bit forced to 0 unless SET_IRQS has MSI on (so writing 0 while MSI is on really
//   stops MSI delivery, and the bit keeps reading 1 after SET_IRQS disables MSI if userspace wrote 1 before).
public sealed partial class EmulatedKernel
{
    private const int MessageControl = 2;

    /// <summary>Offsets of the MSI and MSI-X capabilities (0 = none), read once from the model without the kernel lock.</summary>
    private static (int Msi, int Msix) MessageCapabilities(FunctionState f)
    {
        if (f.MsiCap < 0)
        {
            // The capability list is read-only, so a racing second lookup finds the same offsets.
            Span<byte> config = stackalloc byte[256];
            f.Model.ReadConfig(0, config);
            f.MsixCap = FindCapability(config, CapabilityMsix);
            Volatile.Write(ref f.MsiCap, FindCapability(config, CapabilityMsi));
        }
        return (Volatile.Read(ref f.MsiCap), f.MsixCap);
    }

    /// <summary>A userspace config read: the MSI enable bit is replaced by its virtual value.</summary>
    private void ReadConfigAsUser(FunctionState f, int offset, Span<byte> destination)
    {
        f.Model.ReadConfig(offset, destination);
        int at = MessageCapabilities(f).Msi + MessageControl - offset;
        if (f.MsiCap == 0 || at < 0 || at >= destination.Length) return;
        bool seen;
        lock (_lock) seen = f.MsiEnableSeen;
        destination[at] = (byte)((destination[at] & ~MsiEnable) | (seen ? MsiEnable : 0));
    }

    /// <summary>A userspace config write: MSI-X control bytes dropped, the MSI enable bit filtered and remembered.</summary>
    private void WriteConfigAsUser(FunctionState f, int offset, ReadOnlySpan<byte> source)
    {
        var (msi, msix) = MessageCapabilities(f);
        int end = offset + source.Length;
        bool touchesMsi = msi != 0 && offset <= msi + MessageControl && msi + MessageControl < end;
        bool touchesMsix = msix != 0 && offset < msix + MessageControl + 2 && msix + MessageControl < end;
        if (!touchesMsi && !touchesMsix)
        {
            f.Model.WriteConfig(offset, source);
            return;
        }
        byte[] data = source.ToArray();
        if (touchesMsi)
        {
            int at = msi + MessageControl - offset;
            lock (_lock)
            {
                if (f.IrqType != (int)Vfio.Uapi.VfioConstants.PciMsiIrqIndex) data[at] = (byte)(data[at] & ~MsiEnable);
                f.MsiEnableSeen = (data[at] & MsiEnable) != 0;
            }
        }
        if (!touchesMsix)
        {
            f.Model.WriteConfig(offset, data);
            return;
        }
        // Write what lies before and after the two MSI-X control bytes.
        int dropFrom = Math.Max(0, msix + MessageControl - offset), dropTo = Math.Min(data.Length, msix + MessageControl + 2 - offset);
        if (dropFrom > 0) f.Model.WriteConfig(offset, data.AsSpan(0, dropFrom));
        if (dropTo < data.Length) f.Model.WriteConfig(offset + dropTo, data.AsSpan(dropTo));
    }

    /// <summary>
    /// What vfio-pci's first open does to the function (vfio_pci_core_enable → pci_enable_device), run without the
    /// kernel lock: memory decoding on when it has a memory BAR, I/O decoding when it has an I/O BAR — so BAR access
    /// through the region works before userspace touches the command register, as on Linux (where the config region
    /// then reads COMMAND with those bits set).
    /// </summary>
    private static Action EnableDecoding(FunctionState f) => () =>
    {
        ushort enable = 0;
        foreach (var bar in f.Model.Bars)
            if (bar.Size != 0) enable |= bar.IsIo ? CommandIo : CommandMemory;
        if (enable == 0) return;
        Span<byte> word = stackalloc byte[2];
        f.Model.ReadConfig(Command, word);
        BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(word) | enable));
        f.Model.WriteConfig(Command, word);
    };

    /// <summary>
    /// What SET_IRQS does to the function's own config space once the kernel lock is released (the model may raise
    /// the interrupts that became deliverable): the MSI or MSI-X enable bit set for <paramref name="vectors"/> > 0
    /// (MSI with the multiple-message-enable field for that many vectors, MSI-X with the function mask clear), cleared
    /// for 0.
    /// </summary>
    private static Action? MessageEnable(FunctionState f, int irqIndex, int vectors) => irqIndex switch
    {
        (int)Vfio.Uapi.VfioConstants.PciMsiIrqIndex or (int)Vfio.Uapi.VfioConstants.PciMsixIrqIndex => () =>
        {
            var (msi, msix) = MessageCapabilities(f);
            bool isMsix = irqIndex == (int)Vfio.Uapi.VfioConstants.PciMsixIrqIndex;
            int cap = isMsix ? msix : msi;
            if (cap == 0) return;
            Span<byte> word = stackalloc byte[2];
            f.Model.ReadConfig(cap + MessageControl, word);
            ushort control = BinaryPrimitives.ReadUInt16LittleEndian(word);
            if (isMsix)
            {
                control = vectors > 0 ? (ushort)((control | MsixEnable) & ~MsixFunctionMask) : (ushort)(control & ~MsixEnable);
            }
            else
            {
                int mme = vectors > 1 ? System.Numerics.BitOperations.Log2((uint)vectors - 1) + 1 : 0;
                control = vectors > 0 ? (ushort)((control & ~0x0070) | (mme << 4) | MsiEnable) : (ushort)(control & ~MsiEnable);
            }
            BinaryPrimitives.WriteUInt16LittleEndian(word, control);
            f.Model.WriteConfig(cap + MessageControl, word);
        },
        _ => null,
    };
}

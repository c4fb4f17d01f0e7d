using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>
/// Config space as vfio-pci presents it (Linux 6.12, measured in /work/shared/vm with QEMU's edu and e1000e). Opening
/// the device enables it: COMMAND reads with memory decoding on, and BAR access works before userspace writes COMMAND.
/// What the MSI and MSI-X message control words read through the VFIO config region around
/// <c>VFIO_DEVICE_SET_IRQS</c>, as Linux 6.12's vfio-pci shows them (measured in /work/shared/vm with QEMU's edu and
/// e1000e): MSI-X control comes from the function, so its enable bit follows SET_IRQS and userspace writes to it are
/// dropped; MSI control is virtual, so SET_IRQS never shows in it, a write of the enable bit only sticks while SET_IRQS
/// has MSI on, and it stays read as set after SET_IRQS turns MSI off. On the emulated kernel the function's own config
/// space (the hardware) is checked too: SET_IRQS turns the capability on and off there.
/// </summary>
public abstract unsafe class PciConfigConformance : ConformanceBase
{
    private const long ConfigRegion = (long)VfioConstants.PciConfigRegionIndex << 40;
    private const ushort MsiEnable = 0x0001, MsixEnable = 0x8000, MsixFunctionMask = 0x4000;

    /// <inheritdoc />
    protected override VfioFlavour Flavour => VfioFlavour.Group;

    /// <summary>QEMU's e1000e: it has both MSI and MSI-X (measured: MSI at 0xd0, MSI-X at 0xa0).</summary>
    protected override ConformanceDevice? Function => ConformanceDevice.E1000e;

    [Test]
    public void OpenTurnsMemoryDecodingOn()
    {
        int d = OpenDevice();
        Assert.That(Read16(d, 0x04) & 0x0002, Is.EqualTo(0x0002), "COMMAND.MEMORY after open (pci_enable_device)");
        AssertHardware(0x04, 0x0002, 0x0002, "memory decoding is on in the function");
    }

    [Test]
    public void MsiEnableBit_IsVirtual_SetIrqsNeverShowsInIt()
    {
        int d = OpenDevice();
        int cap = Capability(d, 0x05);
        Assert.That(cap, Is.Not.Zero, $"{T.Device} has an MSI capability");
        int control = cap + 2;
        Assert.That(Read16(d, control) & MsiEnable, Is.Zero, "MSI is off after open");
        Write16(d, control, (ushort)(Read16(d, control) | MsiEnable));
        Assert.That(Read16(d, control) & MsiEnable, Is.Zero, "an enable written while SET_IRQS has MSI off is dropped");

        int ev = Keep(K.EventFd(0, LibC.EventFdNonBlock), "eventfd");
        Assert.That(SetEventFds(d, VfioConstants.PciMsiIrqIndex, [ev]), Is.EqualTo(0), "SET_IRQS MSI enable");
        Assert.That(Read16(d, control) & MsiEnable, Is.Zero, "SET_IRQS does not show in the virtual MSI control");
        AssertHardware(control, MsiEnable, MsiEnable, "SET_IRQS turned MSI on in the function");

        Write16(d, control, (ushort)(Read16(d, control) | MsiEnable));
        Assert.That(Read16(d, control) & MsiEnable, Is.EqualTo(MsiEnable), "an enable written while MSI is on sticks");
        Write16(d, control, (ushort)(Read16(d, control) & ~MsiEnable));
        Assert.That(Read16(d, control) & MsiEnable, Is.Zero);
        AssertHardware(control, MsiEnable, 0, "writing 0 while MSI is on turns it off in the function (Linux writes through)");
        Write16(d, control, (ushort)(Read16(d, control) | MsiEnable));
        AssertHardware(control, MsiEnable, MsiEnable, "and writing 1 turns it on again");

        Assert.That(Disable(d, VfioConstants.PciMsiIrqIndex), Is.EqualTo(0), "SET_IRQS MSI disable");
        Assert.That(Read16(d, control) & MsiEnable, Is.EqualTo(MsiEnable), "the virtual bit keeps what userspace wrote");
        AssertHardware(control, MsiEnable, 0, "SET_IRQS turned MSI off in the function");
    }

    [Test]
    public void MsixEnableBit_FollowsSetIrqs_UserWritesAreDropped()
    {
        int d = OpenDevice();
        int cap = Capability(d, 0x11);
        Assert.That(cap, Is.Not.Zero, $"{T.Device} has an MSI-X capability");
        int control = cap + 2;
        ushort initial = Read16(d, control);
        Assert.That(initial & (MsixEnable | MsixFunctionMask), Is.Zero, "MSI-X is off and unmasked after open");
        Write16(d, control, (ushort)(initial | MsixEnable));
        Assert.That(Read16(d, control), Is.EqualTo(initial), "a userspace write of MSI-X control is dropped");

        int ev0 = Keep(K.EventFd(0, LibC.EventFdNonBlock), "eventfd");
        int ev1 = Keep(K.EventFd(0, LibC.EventFdNonBlock), "eventfd");
        Assert.That(SetEventFds(d, VfioConstants.PciMsixIrqIndex, [ev0, ev1]), Is.EqualTo(0), "SET_IRQS MSI-X enable");
        Assert.That(Read16(d, control), Is.EqualTo(initial | MsixEnable), "SET_IRQS turned MSI-X on, function mask clear");
        AssertHardware(control, MsixEnable | MsixFunctionMask, MsixEnable, "in the function too");
        Write16(d, control, (ushort)(initial | MsixEnable | MsixFunctionMask));
        Write16(d, control, initial);
        Assert.That(Read16(d, control), Is.EqualTo(initial | MsixEnable), "userspace can neither mask nor disable MSI-X through config space");

        Assert.That(Disable(d, VfioConstants.PciMsixIrqIndex), Is.EqualTo(0), "SET_IRQS MSI-X disable");
        Assert.That(Read16(d, control), Is.EqualTo(initial), "SET_IRQS turned MSI-X off");
        AssertHardware(control, MsixEnable, 0, "in the function too");
    }

    /// <summary>On the emulated kernel: the function's own config word at <paramref name="offset"/>, masked, equals <paramref name="expected"/>.</summary>
    private void AssertHardware(int offset, ushort mask, ushort expected, string what)
    {
        if (T.Emulated is not { } kernel) return;
        Span<byte> word = stackalloc byte[2];
        kernel.GetDeviceModel(T.Device).ReadConfig(offset, word);
        Assert.That(BitConverter.ToUInt16(word) & mask, Is.EqualTo(expected), what);
    }

    private ushort Read16(int d, int offset)
    {
        ushort v;
        Assert.That(K.PRead(d, &v, 2, ConfigRegion + offset), Is.EqualTo((nint)2), $"config read at 0x{offset:x}");
        return v;
    }

    private void Write16(int d, int offset, ushort value) =>
        Assert.That(K.PWrite(d, &value, 2, ConfigRegion + offset), Is.EqualTo((nint)2), $"config write at 0x{offset:x}");

    private int Capability(int d, byte id)
    {
        byte b;
        K.PRead(d, &b, 1, ConfigRegion + 0x34);
        for (int at = b & ~3, hops = 0; at >= 0x40 && hops < 48; hops++)
        {
            K.PRead(d, &b, 1, ConfigRegion + at);
            if (b == id) return at;
            K.PRead(d, &b, 1, ConfigRegion + at + 1);
            at = b & ~3;
        }
        return 0;
    }

    /// <summary>SET_IRQS trigger with one eventfd per vector from 0 (enables the index).</summary>
    private int SetEventFds(int d, uint index, int[] fds) =>
        SetIrqs(d, VfioConstants.IrqSetDataEventfd | VfioConstants.IrqSetActionTrigger, index, 0, (uint)fds.Length, fds);

    /// <summary>SET_IRQS DATA_NONE trigger with count 0 (disables the index).</summary>
    private int Disable(int d, uint index) => SetIrqs(d, VfioConstants.IrqSetDataNone | VfioConstants.IrqSetActionTrigger, index, 0, 0);
}

using Eal.Emulation;
using Eal.Emulation.Devices;
using Moq;
using NUnit.Framework;
using static Eal.Emulation.Devices.PciConfigRegisters;

namespace Eal.Bus.Tests.Devices;

[TestFixture]
public sealed class PciFunctionModelTests
{
    // The default emulated X710: BAR0 8 MiB and BAR3 32 KiB (64-bit prefetchable), 129 MSI-X vectors in BAR3, PCIe.
    private static PciFunctionDescription Nic() => MachineSpec.Parse("vfio=1,kernel=0").PciFunctions[0];

    private static PciFunctionDescription WithIoBar()
    {
        var d = Nic();
        d.Bars.Add(new PciBarDescription { Index = 2, Address = 0xe000, Size = 32, Flags = PciBarFlags.Io });
        return d;
    }

    [Test]
    public void IdsAndClass_AreReadOnly()
    {
        using var m = new PciFunctionModel(Nic());
        m.SetConfig32(VendorId, 0xdeadbeef);
        m.SetConfig32(Revision, 0xffffffff);
        m.SetConfig32(SubsystemVendorId, 0x12345678);
        Assert.That(m.Config32(VendorId), Is.EqualTo(0x1572_8086u));
        Assert.That(m.Config32(Revision), Is.EqualTo(0x0200_0002u));
        Assert.That(m.Config32(SubsystemVendorId), Is.EqualTo(0x0000_8086u));
    }

    [Test]
    public void ConfigSpace_MatchesTheSysfsImage()
    {
        var d = Nic();
        using var m = new PciFunctionModel(d, new PciFunctionModelOptions { CanReset = false });
        var image = new byte[4096];
        m.ReadConfig(0, image);
        Assert.That(image, Is.EqualTo(ConfigSpace.Build(d, new MachineDescription { PciFunctions = [d] })));
    }

    [Test]
    public void Bar64Sizing_ReturnsTheSizeMaskAndKeepsFlags()
    {
        using var m = new PciFunctionModel(Nic());
        uint original = m.Config32(Bar0);
        m.SetConfig32(Bar0, 0xffffffff);
        m.SetConfig32(Bar0 + 4, 0xffffffff);
        Assert.That(m.Config32(Bar0), Is.EqualTo(0xff80000cu), "8 MiB, 64-bit (0x4), prefetchable (0x8)");
        Assert.That(m.Config32(Bar0 + 4), Is.EqualTo(0xffffffffu));
        m.SetConfig32(Bar0, original);
        Assert.That(m.Config32(Bar0), Is.EqualTo(original));
    }

    [Test]
    public void IoBarSizing_ReturnsTheSizeMaskWithTheIoBit()
    {
        using var m = new PciFunctionModel(WithIoBar());
        m.SetConfig32(Bar0 + 8, 0xffffffff);
        Assert.That(m.Config32(Bar0 + 8), Is.EqualTo(0xffffffe1u));
        Assert.That(m.Bars[2].IsIo, Is.True);
        Assert.That(m.Bars[2].MmapAreas, Is.Empty, "I/O BARs are never mmapable");
        Assert.That(m.GetBarMemory(2), Is.Null);
    }

    [Test]
    public void UnimplementedBar_ReadsZeroAfterSizing()
    {
        using var m = new PciFunctionModel(Nic());
        m.SetConfig32(Bar0 + 4 * 5, 0xffffffff);
        Assert.That(m.Config32(Bar0 + 4 * 5), Is.Zero);
        Assert.That(m.Bars[5].Size, Is.Zero);
    }

    [Test]
    public void Command_OnlyImplementedBitsAreWritable()
    {
        using var m = new PciFunctionModel(Nic());
        Assert.That(m.Config16(Command), Is.Zero, "vfio-pci functions start with decoding and mastering off");
        m.SetConfig16(Command, 0xffff);
        Assert.That(m.Config16(Command), Is.EqualTo(0x0547));
        Assert.That(m.CommandRegister, Is.EqualTo(0x0547));
    }

    [Test]
    public void Status_CannotBeSetBySoftware()
    {
        using var m = new PciFunctionModel(Nic());
        m.SetConfig16(Status, 0xffff);
        Assert.That(m.Config16(Status), Is.EqualTo(StatusCapabilityList));
    }

    [Test]
    public void CapabilityList_HasPmMsixPcieAndMsiWhenAsked()
    {
        using var m = new PciFunctionModel(Nic(), new PciFunctionModelOptions { MsiVectors = 4 });
        var config = new byte[4096];
        m.ReadConfig(0, config);
        var ids = new List<byte>();
        for (int at = config[CapabilitiesPointer]; at != 0; at = config[at + 1]) ids.Add(config[at]);
        Assert.That(ids, Is.EqualTo(new[] { CapabilityPowerManagement, CapabilityMsix, CapabilityPciExpress, CapabilityMsi }));
        Assert.That(m.MsiCapabilityOffset, Is.EqualTo(0xB0));
        Assert.That(m.Config16(m.MsiCapabilityOffset + 2), Is.EqualTo(Msi64Bit | MsiPerVectorMask | (2 << 1)), "4 vectors capable");
        Assert.That(m.Config16(m.MsixCapabilityOffset + 2), Is.EqualTo(128), "table size is N-1");
        Assert.That(m.Config32(m.MsixCapabilityOffset + 4), Is.EqualTo(3u), "table at BAR3 + 0");
        Assert.That(m.Config32(m.MsixCapabilityOffset + 8), Is.EqualTo(0x810u | 3), "PBA after 129 entries");
        Assert.That(m.Config32(m.PciExpressCapabilityOffset + 4) & PcieDevCapFlr, Is.EqualTo(PcieDevCapFlr));
    }

    [Test]
    public void MsiControl_OnlyEnableAndMultipleMessageEnableAreWritable()
    {
        using var m = new PciFunctionModel(Nic(), new PciFunctionModelOptions { MsiVectors = 1 });
        m.SetConfig16(m.MsiCapabilityOffset + 2, 0xffff);
        Assert.That(m.Config16(m.MsiCapabilityOffset + 2), Is.EqualTo(Msi64Bit | MsiPerVectorMask | 0x70 | MsiEnable));
    }

    [TestCase(3)]
    [TestCase(64)]
    public void MsiVectors_MustBeAPowerOfTwoUpTo32(int vectors)
    {
        var e = Assert.Throws<ArgumentException>(() => new PciFunctionModel(Nic(), new PciFunctionModelOptions { MsiVectors = vectors }));
        Assert.That(e!.Message, Does.StartWith($"0000:01:00.0: MSI vectors {vectors} is not valid; use 0, 1, 2, 4, 8, 16 or 32"));
    }

    [Test]
    public void ConfigAccessOutsideTheSpace_NamesTheFunctionAndRange()
    {
        var d = Nic();
        d.ConfigSpaceSize = 256;
        using var m = new PciFunctionModel(d);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.ReadConfig(0xFE, new byte[4]));
        Assert.That(e!.Message, Does.StartWith("0000:01:00.0: config access of 4 bytes at 0xfe is outside the 256-byte config space"));
    }

    [Test]
    public void MmapAreas_LeaveTheMsixTableAndPbaPageOut()
    {
        using var m = new PciFunctionModel(Nic());
        Assert.That(m.Bars[0].MmapAreas, Is.EqualTo(new[] { (0ul, 0x80_0000ul) }));
        Assert.That(m.Bars[3].MmapAreas, Is.EqualTo(new[] { (0x1000ul, 0x7000ul) }));
        Assert.That(m.Bars[0].Is64Bit && m.Bars[0].Prefetchable, Is.True);
    }

    [Test]
    public void CustomMmapAreas_MustBePageAligned()
    {
        var e = Assert.Throws<ArgumentException>(() => new PciFunctionModel(Nic(), new PciFunctionModelOptions
        {
            MmapAreas = new Dictionary<int, IReadOnlyList<(ulong, ulong)>> { [0] = [(0x800, 0x1000)] },
        }));
        Assert.That(e!.Message, Is.EqualTo("0000:01:00.0: BAR0 mmap area 0x800+0x1000 is not page aligned inside the 0x800000-byte BAR"));
    }

    [Test]
    public unsafe void BarMemory_IsSharedBetweenTheMappingAndTrappedAccess()
    {
        using var m = new PciFunctionModel(Nic());
        var (fd, address) = m.GetBarMemory(0)!.Value;
        Assert.That(fd, Is.GreaterThan(2));
        Assert.That(File.Exists($"/proc/self/fd/{fd}"), Is.True);
        *(uint*)(address + 0x100) = 0xcafef00d;
        Assert.That(m.Bar32(0, 0x100), Is.EqualTo(0xffffffffu), "memory decoding is off: master abort reads all ones");
        m.SetConfig16(Command, CommandMemory);
        Assert.That(m.Bar32(0, 0x100), Is.EqualTo(0xcafef00du));
        m.SetBar32(0, 0x104, 0x11223344);
        Assert.That(*(uint*)(address + 0x104), Is.EqualTo(0x11223344u));
    }

    [Test]
    public void BarAccessOutsideTheBar_NamesTheBarAndSize()
    {
        using var m = new PciFunctionModel(Nic());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => m.ReadBar(3, 0x7ffe, new byte[4]));
        Assert.That(e!.Message, Does.StartWith("0000:01:00.0: BAR3 access of 4 bytes at 0x7ffe is outside its 0x8000 bytes"));
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => m.ReadBar(1, 0, new byte[4]));
        Assert.That(e2!.Message, Does.StartWith("0000:01:00.0: BAR1 is not implemented"));
    }

    private static (ProbeModel Model, RecordingSink Sink) MsixModel()
    {
        var m = new ProbeModel(Nic(), new PciFunctionModelOptions { MsiVectors = 1 });
        var sink = new RecordingSink();
        m.Interrupts = sink;
        m.SetConfig16(Command, CommandMemory);
        return (m, sink);
    }

    [Test]
    public void Msix_EnabledAndUnmasked_RaisesTheVector()
    {
        var (m, sink) = MsixModel();
        using var _ = m;
        m.SetConfig16(m.MsixCapabilityOffset + 2, MsixEnable);
        Assert.That(m.Raise(7), Is.EqualTo(2));
        Assert.That(sink.Wait(0), Is.EqualTo((2, 7)));
    }

    [Test]
    public void Msix_MaskedVector_SetsPendingAndFiresOnUnmask()
    {
        var (m, sink) = MsixModel();
        using var _ = m;
        m.SetConfig16(m.MsixCapabilityOffset + 2, MsixEnable);
        m.SetBar32(3, 5 * 16 + 12, MsixVectorMasked);
        Assert.That(m.Raise(5), Is.EqualTo(-1));
        Assert.That(sink.Pending, Is.Zero);
        Assert.That(m.IsMsixPending(5), Is.True);
        Assert.That(m.Bar64(3, 0x810) & (1ul << 5), Is.Not.Zero, "the PBA shows the pending bit");
        m.SetBar32(3, 5 * 16 + 12, 0);
        Assert.That(sink.Wait(0), Is.EqualTo((2, 5)));
        Assert.That(m.IsMsixPending(5), Is.False);
    }

    [Test]
    public void Msix_FunctionMask_HoldsEveryVectorUntilCleared()
    {
        var (m, sink) = MsixModel();
        using var _ = m;
        m.SetConfig16(m.MsixCapabilityOffset + 2, MsixEnable | MsixFunctionMask);
        Assert.That(m.Raise(0), Is.EqualTo(-1));
        Assert.That(m.Raise(128), Is.EqualTo(-1));
        m.SetConfig16(m.MsixCapabilityOffset + 2, MsixEnable);
        Assert.That(new[] { sink.Wait(0), sink.Wait(0) }, Is.EqualTo(new (int, int)?[] { (2, 0), (2, 128) }));
    }

    [Test]
    public void Msix_PbaIsReadOnlyToSoftware()
    {
        var (m, _) = MsixModel();
        using var __ = m;
        m.SetBar64(3, 0x810, ulong.MaxValue);
        Assert.That(m.Bar64(3, 0x810), Is.Zero);
    }

    [Test]
    public void Msi_UsedWhenEnabledAndMsixIsNot_HonoursTheVectorMask()
    {
        var (m, sink) = MsixModel();
        using var _ = m;
        int cap = m.MsiCapabilityOffset;
        m.SetConfig16(cap + 2, MsiEnable);
        Assert.That(m.Raise(0), Is.EqualTo(1));
        Assert.That(sink.Wait(0), Is.EqualTo((1, 0)));
        m.SetConfig32(cap + 0x10, 1);
        Assert.That(m.Raise(0), Is.EqualTo(-1));
        Assert.That(m.Config32(cap + 0x14), Is.EqualTo(1u), "pending bit");
        m.SetConfig32(cap + 0x10, 0);
        Assert.That(sink.Wait(0), Is.EqualTo((1, 0)));
        Assert.That(m.Config32(cap + 0x14), Is.Zero);
    }

    [Test]
    public void Intx_RaisedWhenNothingElseIsEnabled_HeldWhileDisabled()
    {
        var (m, sink) = MsixModel();
        using var _ = m;
        Assert.That(m.Raise(0), Is.EqualTo(0));
        Assert.That(sink.Wait(0), Is.EqualTo((0, 0)));
        Assert.That(m.Config16(Status) & StatusInterrupt, Is.EqualTo(StatusInterrupt));
        m.Lower();
        Assert.That(m.Config16(Status) & StatusInterrupt, Is.Zero);

        m.SetConfig16(Command, CommandMemory | CommandIntxDisable);
        Assert.That(m.Raise(0), Is.EqualTo(-1));
        Assert.That(sink.Pending, Is.Zero);
        Assert.That(m.Config16(Status) & StatusInterrupt, Is.EqualTo(StatusInterrupt), "status shows the line even while disabled");
        m.SetConfig16(Command, CommandMemory);
        Assert.That(sink.Wait(0), Is.EqualTo((0, 0)), "re-enabling INTx signals the asserted line");
    }

    [Test]
    public void Dma_NeedsBusMaster_AndADomain()
    {
        using var m = new ProbeModel(Nic());
        var port = new Mock<IDmaPort>(MockBehavior.Strict);
        var buffer = new byte[8];
        Assert.That(m.Read(0x1000, buffer), Is.EqualTo(DmaOutcome.BusMasterDisabled));
        m.Dma = port.Object;
        Assert.That(m.Write(0x1000, buffer), Is.EqualTo(DmaOutcome.BusMasterDisabled));
        port.VerifyNoOtherCalls();

        m.SetConfig16(Command, CommandMaster);
        m.Dma = null;
        Assert.That(m.Read(0x1000, buffer), Is.EqualTo(DmaOutcome.NoDomain));
        var fake = new FakeDmaPort(0x1000, 16);
        m.Dma = fake;
        Assert.That(m.Write(0x1000, [1, 2, 3]), Is.EqualTo(DmaOutcome.Completed));
        Assert.That(m.Read(0x2000, buffer), Is.EqualTo(DmaOutcome.PageFault));
        Assert.That(fake.Memory[..3], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public unsafe void Flr_ResetsConfigAndBarMemory()
    {
        using var m = new PciFunctionModel(Nic());
        var (_, address) = m.GetBarMemory(0)!.Value;
        m.SetConfig16(Command, CommandMemory | CommandMaster);
        m.SetConfig32(Bar0, 0xffffffff);
        *(ulong*)address = 0x1122334455667788;
        m.SetConfig16(m.PciExpressCapabilityOffset + 8, PcieDevCtlInitiateFlr);
        Assert.That(m.ResetCount, Is.EqualTo(1));
        Assert.That(m.Config16(Command), Is.Zero);
        Assert.That(m.Config32(Bar0), Is.EqualTo(0x0000000cu), "BAR back at its power-on address");
        Assert.That(*(ulong*)address, Is.Zero);
        Assert.That(m.Config16(m.PciExpressCapabilityOffset + 8) & PcieDevCtlInitiateFlr, Is.Zero, "FLR bit reads 0");
    }

    [Test]
    public void NoReset_FlrIsIgnoredAndNotAdvertised()
    {
        using var m = new PciFunctionModel(Nic(), new PciFunctionModelOptions { CanReset = false });
        Assert.That(m.Config32(m.PciExpressCapabilityOffset + 4) & PcieDevCapFlr, Is.Zero);
        m.SetConfig16(Command, CommandMemory);
        m.SetConfig16(m.PciExpressCapabilityOffset + 8, PcieDevCtlInitiateFlr);
        Assert.That(m.ResetCount, Is.Zero);
        Assert.That(m.Config16(Command), Is.EqualTo(CommandMemory));
    }

    [Test]
    public void IrqCounts_FollowTheCapabilities()
    {
        using var m = new PciFunctionModel(Nic(), new PciFunctionModelOptions { MsiVectors = 2 });
        Assert.That(Enumerable.Range(0, 6).Select(m.IrqCount), Is.EqualTo(new[] { 1, 2, 129, 1, 1, 0 }));
    }

    [Test]
    public void Dispose_ReleasesTheMemfd_ThenAccessThrows()
    {
        var m = new PciFunctionModel(Nic());
        int fd = m.GetBarMemory(0)!.Value.MemFd;
        string target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "";
        Assert.That(target, Does.Contain("pci-0000:01:00.0-bar0"));
        m.Dispose();
        Assert.That(new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "", Does.Not.Contain("pci-0000:01:00.0-bar0"));
        Assert.Throws<ObjectDisposedException>(() => m.ReadBar(0, 0, new byte[4]));
        m.Dispose();
    }
}

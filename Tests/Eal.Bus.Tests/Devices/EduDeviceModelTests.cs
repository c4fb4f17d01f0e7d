using Eal.Emulation;
using Eal.Emulation.Devices;
using NUnit.Framework;
using static Eal.Emulation.Devices.EduDeviceModel;
using static Eal.Emulation.Devices.PciConfigRegisters;

namespace Eal.Bus.Tests.Devices;

[TestFixture]
public sealed class EduDeviceModelTests
{
    private const ulong RamIova = 0x10_0000;

    private sealed class Rig : IDisposable
    {
        public Rig(TimeSpan? latency = null, bool master = true)
        {
            Model = new EduDeviceModel(Describe("0000:00:10.0"), new EduDeviceOptions { DmaLatency = latency ?? TimeSpan.FromMilliseconds(1) });
            Model.Dma = Port;
            Model.Interrupts = Sink;
            Model.SetConfig16(Command, (ushort)(CommandMemory | (master ? CommandMaster : 0)));
            Model.SetConfig16(Model.MsixCapabilityOffset + 2, MsixEnable);
        }

        public EduDeviceModel Model { get; }
        public FakeDmaPort Port { get; } = new(RamIova, 0x2000);
        public RecordingSink Sink { get; } = new();

        public void Start(ulong src, ulong dst, ulong count, ulong direction)
        {
            Model.SetBar64(0, Registers.DmaSource, src);
            Model.SetBar64(0, Registers.DmaDestination, dst);
            Model.SetBar64(0, Registers.DmaCount, count);
            Model.SetBar64(0, Registers.DmaCommand, DmaStart | DmaIrq | direction);
        }

        public byte[] Buffer(int length)
        {
            var b = new byte[length];
            Model.ReadBar(0, BufferOffset, b);
            return b;
        }

        public void Dispose() => Model.Dispose();
    }

    [Test]
    public void Registers_IdLivenessFactorial()
    {
        using var r = new Rig();
        var m = r.Model;
        Assert.That(m.Bar32(0, Registers.Id), Is.EqualTo(0x010000edu));
        m.SetBar32(0, Registers.Liveness, 0x12345678);
        Assert.That(m.Bar32(0, Registers.Liveness), Is.EqualTo(~0x12345678u));
        m.SetBar32(0, Registers.Factorial, 10);
        Assert.That(m.Bar32(0, Registers.Factorial), Is.EqualTo(3628800u));
        Assert.That(m.Bar32(0, Registers.Status), Is.Zero, "the busy bit is clear once done");
    }

    [Test]
    public void Registers_EightByteAccessBelow0x80_IsIgnored()
    {
        using var r = new Rig();
        r.Model.SetBar64(0, Registers.DmaSource - 0x80 + 0x08, 5);
        Assert.That(r.Model.Bar32(0, Registers.Factorial), Is.Zero);
        Assert.That(r.Model.Bar64(0, 0x08), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void DmaRegisters_AreReachableAsHalves()
    {
        using var r = new Rig();
        r.Model.SetBar32(0, Registers.DmaSource, 0x89abcdef);
        r.Model.SetBar32(0, Registers.DmaSource + 4, 0x01234567);
        Assert.That(r.Model.Bar64(0, Registers.DmaSource), Is.EqualTo(0x0123456789abcdefUL));
        Assert.That(r.Model.Bar32(0, Registers.DmaSource + 4), Is.EqualTo(0x01234567u));
    }

    [Test]
    public void RaiseAndAck_FollowTheInterruptStatus()
    {
        using var r = new Rig();
        r.Model.SetBar32(0, Registers.InterruptRaise, 0x40);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.Bar32(0, Registers.InterruptStatus), Is.EqualTo(0x40u));
        r.Model.SetBar32(0, Registers.InterruptAck, 0x40);
        Assert.That(r.Model.Bar32(0, Registers.InterruptStatus), Is.Zero);
    }

    [Test]
    public void FactorialInterrupt_WhenStatusAsksForIt()
    {
        using var r = new Rig();
        r.Model.SetBar32(0, Registers.Status, 0x80);
        r.Model.SetBar32(0, Registers.Factorial, 5);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.Bar32(0, Registers.InterruptStatus), Is.EqualTo(IrqFactorial));
    }

    [Test]
    public void Layout_RegistersAndMsixTrapped_BufferMmapable()
    {
        using var r = new Rig();
        Assert.That(r.Model.Bars[0].MmapAreas, Is.EqualTo(new[] { (0x2000ul, Bar0Size - 0x2000) }));
        Assert.That(r.Model.ConfigSpaceSize, Is.EqualTo(256));
        Assert.That(r.Model.Config32(0), Is.EqualTo(0x11e8_1234u));
        Assert.That(Enumerable.Range(0, 5).Select(r.Model.IrqCount), Is.EqualTo(new[] { 1, 1, 2, 0, 1 }));
        Assert.That(r.Model.CanReset, Is.True);
    }

    [Test]
    public unsafe void DmaToDevice_CopiesRamIntoTheBuffer_AfterTheInterrupt()
    {
        using var r = new Rig(TimeSpan.FromMilliseconds(30));
        for (int i = 0; i < 256; i++) r.Port.Memory[0x100 + i] = (byte)i;
        r.Start(RamIova + 0x100, BufferOffset + 0x10, 256, 0);
        Assert.That(r.Model.Bar64(0, Registers.DmaCommand) & DmaStart, Is.EqualTo(DmaStart), "still running: completion is asynchronous");
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.Bar64(0, Registers.DmaCommand), Is.EqualTo(DmaIrq));
        Assert.That(r.Model.Bar32(0, Registers.InterruptStatus), Is.EqualTo(IrqDmaDone));
        Assert.That(r.Model.LastDmaOutcome, Is.EqualTo(DmaOutcome.Completed));
        Assert.That(r.Buffer(0x110)[0x10..], Is.EqualTo(r.Port.Memory[0x100..0x200]));
        // The mmapable view of the buffer is the same memory.
        var (_, address) = r.Model.GetBarMemory(0)!.Value;
        Assert.That(*(byte*)(address + (nint)BufferOffset + 0x10 + 255), Is.EqualTo(255));
    }

    [Test]
    public void DmaToRam_CopiesTheBufferOut()
    {
        using var r = new Rig();
        var data = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();
        r.Model.WriteBar(0, BufferOffset, data);
        r.Start(BufferOffset, RamIova + 0x1000, 64, DmaToRam);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Port.Memory[0x1000..0x1040], Is.EqualTo(data));
        Assert.That(r.Model.DmaTransfers, Is.EqualTo(1));
    }

    [Test]
    public void DmaFromUnmappedIova_Faults_TouchesNothing_SetsErrorAndInterrupts()
    {
        using var r = new Rig();
        r.Model.WriteBar(0, BufferOffset, new byte[] { 0xAA, 0xBB });
        r.Start(0xdead_0000, BufferOffset, 2, 0);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.LastDmaOutcome, Is.EqualTo(DmaOutcome.PageFault));
        Assert.That(r.Model.Bar64(0, Registers.DmaCommand), Is.EqualTo(DmaIrq | DmaError));
        Assert.That(r.Model.Bar32(0, Registers.InterruptStatus), Is.EqualTo(IrqDmaError));
        Assert.That(r.Buffer(2), Is.EqualTo(new byte[] { 0xAA, 0xBB }));
        Assert.That(r.Port.Faults, Is.EqualTo(new[] { 0xdead_0000ul }));
    }

    [Test]
    public void DmaToUnmappedIova_Faults_RamUntouched()
    {
        using var r = new Rig();
        r.Model.WriteBar(0, BufferOffset, new byte[16].Select(_ => (byte)0x5A).ToArray());
        // Crosses the end of the mapped window: the whole transfer faults.
        r.Start(BufferOffset, RamIova + 0x2000 - 8, 16, DmaToRam);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.LastDmaOutcome, Is.EqualTo(DmaOutcome.PageFault));
        Assert.That(r.Port.Memory.All(b => b == 0), Is.True);
    }

    [Test]
    public void DmaWithoutBusMaster_NeverReachesTheIommu()
    {
        using var r = new Rig(master: false);
        r.Start(RamIova, BufferOffset, 8, 0);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.LastDmaOutcome, Is.EqualTo(DmaOutcome.BusMasterDisabled));
        Assert.That(r.Port.Calls, Is.Zero);
    }

    [TestCase(BufferOffset + 0x800, 0x801ul)]
    [TestCase(BufferOffset - 1, 8ul)]
    [TestCase(BufferOffset, 0x1001ul)]
    public void DmaOutsideTheDeviceBuffer_IsRefused(ulong device, ulong count)
    {
        using var r = new Rig();
        r.Start(RamIova, device, count, 0);
        Assert.That(r.Sink.Wait(), Is.EqualTo((2, 0)));
        Assert.That(r.Model.LastDmaOutcome, Is.EqualTo(DmaOutcome.InvalidDeviceRange));
        Assert.That(r.Port.Calls, Is.Zero);
    }

    [Test]
    public void WithoutMsix_TheDmaInterruptIsIntx_AndAckLowersTheLine()
    {
        using var r = new Rig();
        r.Model.SetConfig16(r.Model.MsixCapabilityOffset + 2, 0);
        r.Start(RamIova, BufferOffset, 8, 0);
        Assert.That(r.Sink.Wait(), Is.EqualTo((0, 0)));
        Assert.That(r.Model.Config16(Status) & StatusInterrupt, Is.EqualTo(StatusInterrupt));
        r.Model.SetBar32(0, Registers.InterruptAck, IrqDmaDone);
        Assert.That(r.Model.Config16(Status) & StatusInterrupt, Is.Zero);
    }

    [Test]
    public void MaskedMsixVector_HoldsTheCompletionUntilUnmasked()
    {
        using var r = new Rig();
        r.Model.SetBar32(0, MsixTableOffset + 12, MsixVectorMasked);
        r.Start(RamIova, BufferOffset, 8, 0);
        Assert.That(r.Sink.Wait(300), Is.Null);
        Assert.That(r.Model.IsMsixPending(0), Is.True);
        r.Model.SetBar32(0, MsixTableOffset + 12, 0);
        Assert.That(r.Sink.Wait(0), Is.EqualTo((2, 0)));
    }

    [Test]
    public void Reset_CancelsAPendingTransfer_AndClearsRegisters()
    {
        using var r = new Rig(TimeSpan.FromMilliseconds(150));
        r.Model.SetBar32(0, Registers.Liveness, 1);
        r.Model.WriteBar(0, BufferOffset, new byte[] { 7 });
        r.Start(RamIova, BufferOffset, 8, 0);
        r.Model.Reset();
        Thread.Sleep(300);
        Assert.That(r.Port.Calls, Is.Zero);
        Assert.That(r.Sink.Pending, Is.Zero);
        Assert.That(r.Model.LastDmaOutcome, Is.Null);
        Assert.That(r.Model.ResetCount, Is.EqualTo(1));
        Assert.That(r.Model.Config16(Command), Is.Zero);
        r.Model.SetConfig16(Command, CommandMemory);
        Assert.That(r.Model.Bar64(0, Registers.DmaCommand), Is.Zero);
        Assert.That(r.Model.Bar32(0, Registers.Liveness), Is.EqualTo(uint.MaxValue));
        Assert.That(r.Buffer(1), Is.EqualTo(new byte[] { 0 }));
    }

    [Test]
    public void Dispose_WhileATransferIsPending_StopsIt()
    {
        var r = new Rig(TimeSpan.FromMilliseconds(100));
        r.Start(RamIova, BufferOffset, 8, 0);
        r.Dispose();
        Thread.Sleep(200);
        Assert.That(r.Port.Calls, Is.Zero);
        Assert.That(r.Sink.Pending, Is.Zero);
    }

    [Test]
    public void Describe_RejectsAForeignLayout()
    {
        var d = Describe("0000:00:10.0");
        d.MsixVectors = 4;
        var e = Assert.Throws<ArgumentException>(() => new EduDeviceModel(d));
        Assert.That(e!.Message, Does.StartWith("0000:00:10.0: an edu function needs BAR0 of 1 MiB memory and 2 MSI-X vectors at BAR0+0x1000 (or none, as QEMU's); build it with EduDeviceModel.Describe"));
    }
}

[TestFixture]
public sealed class PciDeviceModelRegistryTests
{
    [Test]
    public void Default_MapsEduAndFallsBackToTheGenericModel()
    {
        var m = MachineSpec.Parse("vfio=1,kernel=0,edu=1");
        var provider = PciDeviceModelRegistry.CreateDefault().AsProvider();
        using var nic = provider(m.PciFunctions[0]);
        using var edu = provider(m.PciFunctions[1]);
        Assert.That(nic, Is.TypeOf<PciFunctionModel>());
        Assert.That(edu, Is.TypeOf<EduDeviceModel>());
        Assert.That(new PciDeviceModelRegistry(genericFallback: false).Create(m.PciFunctions[0]), Is.Null);
    }

    [Test]
    public void Add_Twice_IsAnError()
    {
        var r = PciDeviceModelRegistry.CreateDefault();
        var e = Assert.Throws<InvalidOperationException>(() => r.Add(0x1234, 0x11e8, d => new PciFunctionModel(d)));
        Assert.That(e!.Message, Is.EqualTo("a device model for 1234:11e8 is already registered; register each vendor:device id once"));
    }

    [Test]
    public void MachineSpec_EduKey_AddsEduFunctionsLast()
    {
        var m = MachineSpec.Parse("vfio=1,kernel=1,edu=2");
        var edus = m.PciFunctions.Skip(2).ToArray();
        Assert.That(edus.Select(f => (f.Address, f.VendorId, f.DeviceId, f.Driver, f.IommuGroup, f.VfioCdev)), Is.EqualTo(new (string, uint, uint, string?, int?, int?)[]
        {
            ("0000:01:00.2", 0x1234, 0x11e8, "vfio-pci", 2, 1),
            ("0000:01:00.3", 0x1234, 0x11e8, "vfio-pci", 3, 2),
        }));
        Assert.That(edus.Select(f => f.Bars[0].Address), Is.EqualTo(new[] { 0xE000_0000ul, 0xE010_0000ul }));
        var noiommu = MachineSpec.Parse("iommu=off,noiommu=on,edu=1").PciFunctions.Last();
        Assert.That((noiommu.IommuGroup, noiommu.VfioCdev), Is.EqualTo(((int?)3, (int?)null)));
    }
}

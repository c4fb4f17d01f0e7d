using System.Runtime.InteropServices;
using Eal.Bus.Pci;
using Eal.Bus.Pci.Vfio;
using Eal.Devargs;
using Eal.Dma.Edu;
using Eal.Emulation;
using Eal.Emulation.Devices;
using Eal.Emulation.Kernel;
using Eal.Vfio;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Eal.Bus.Tests.Devices;

/// <summary>The edu driver over the PCI bus's VFIO mapping on the emulated kernel, in each VFIO mode.</summary>
[TestFixture(VfioMode.Group)]
[TestFixture(VfioMode.NoIommu)]
[TestFixture(VfioMode.Cdev)]
public sealed unsafe class EduVfioTests(VfioMode mode)
{
    private const int BufferBytes = 3 * 4096;

    private sealed class Rig : IDisposable
    {
        private readonly PhysicalMemoryRegistry _physical = new();
        private bool _disposed;

        public Rig(VfioMode mode, VfioInterruptMode interrupts = VfioInterruptMode.Auto)
        {
            string spec = mode switch
            {
                VfioMode.Group => "vfio=0,kernel=0,edu=1,iommufd=off",
                VfioMode.NoIommu => "vfio=0,kernel=0,edu=1,iommu=off,noiommu=on",
                _ => "vfio=0,kernel=0,edu=1",
            };
            Platform = EmulatedPlatform.FromSpec(spec);
            Kernel = new EmulatedKernel(Platform, PciDeviceModelRegistry.CreateDefault().AsProvider()) { PhysicalMemory = _physical };
            Vfio = new VfioManager(Kernel, Platform);
            Driver = new EduDriver();
            Bus = new PciBus([Driver]);
            Bus.UseVfio(Vfio, Kernel, interrupts);
            Bus.Scan(new BusContext(Platform, [], NullLoggerFactory.Instance));
            Report = Bus.Probe();
            Memory = (byte*)NativeMemory.AlignedAlloc(BufferBytes, 4096);
            new Span<byte>(Memory, BufferBytes).Clear();
            if (Edu is { } edu && mode != VfioMode.NoIommu)
            {
                Iova = 0x1000_0000;
                Bus.DmaMap(Bus.PciDevices.Single(), (nint)Memory, Iova, BufferBytes);
            }
            else
            {
                Iova = _physical.Register((nint)Memory, BufferBytes);
            }
        }

        public EmulatedPlatform Platform { get; }
        public EmulatedKernel Kernel { get; }
        public VfioManager Vfio { get; }
        public EduDriver Driver { get; }
        public PciBus Bus { get; }
        public ProbeReport Report { get; }
        public byte* Memory { get; }
        public ulong Iova { get; }
        public EduDevice? Edu => Driver.Devices.SingleOrDefault();
        public PciDevice Device => Bus.PciDevices.Single();

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Bus.Dispose();
            Vfio.Dispose();
            NativeMemory.AlignedFree(Memory);
            Kernel.Dispose();
            Platform.Dispose();
        }
    }

    [Test]
    public void Probe_MapsAndReportsTheMode()
    {
        using var r = new Rig(mode);
        Assert.That(r.Report.Failures, Is.Empty);
        Assert.That(r.Bus.GetVfioMode(r.Device), Is.EqualTo(mode));
        var mapping = r.Device.Mapping!;
        Assert.That(mapping.WasReset, Is.True);
        Assert.That(mapping.InterruptIndex, Is.EqualTo(2), "MSI-X first");
        Assert.That(mapping.Bar(0).MappedAreas, Is.EqualTo(new[] { (0x2000ul, 0xFE000ul) }), "registers and MSI-X table stay trapped");
        Assert.That(mapping.Bar(0).IsMapped(0, 4), Is.False);
        Assert.That(r.Edu!.Identification, Is.EqualTo(0x010000edu), "trapped register through pread");
        Assert.That(r.Edu.Factorial(6), Is.EqualTo(720u));
        var model = (EduDeviceModel)r.Kernel.GetDeviceModel(r.Device.Name);
        Assert.That(model.CommandRegister & 0x6, Is.EqualTo(0x6), "memory decoding and bus mastering on");
    }

    [Test]
    public void Copy_MovesDataThroughTheIommu_WaitingForMsix()
    {
        using var r = new Rig(mode);
        for (int i = 0; i < 5000; i++) r.Memory[i] = (byte)(i * 7);
        r.Edu!.Copy(r.Iova, r.Iova + 6000, 5000);
        Assert.That(new Span<byte>(r.Memory + 6000, 5000).SequenceEqual(new Span<byte>(r.Memory, 5000)), Is.True);
        Assert.That(r.Kernel.Faults, Is.Empty);
    }

    [Test]
    public void UnmappedIova_IsAnIoPageFault_NothingTouched()
    {
        using var r = new Rig(mode);
        r.Edu!.WriteBuffer(0, new byte[] { 1, 2, 3, 4 });
        ulong unmapped = r.Iova + 0x100_0000;
        var e = Assert.Throws<EduDmaException>(() => r.Edu.ToDevice(unmapped, 0, 64));
        Assert.That(e!.Message, Does.StartWith($"{r.Device.Name}: DMA of 64 bytes from IOVA 0x{unmapped:x} failed: the device reported an error (an I/O page fault"));
        Assert.That(r.Kernel.Faults.Select(f => (f.Device, f.Iova, f.Write)), Is.EqualTo(new[] { (r.Device.Name, unmapped, false) }));
        var buffer = new byte[4];
        r.Edu.ReadBuffer(0, buffer);
        Assert.That(buffer, Is.EqualTo(new byte[] { 1, 2, 3, 4 }), "the failed DMA wrote nothing into the device");
    }

    [Test]
    public void JustUnmappedIova_Faults()
    {
        if (mode == VfioMode.NoIommu) Assert.Ignore("no-IOMMU has no IOMMU mappings to remove");
        using var r = new Rig(mode);
        r.Edu!.Copy(r.Iova, r.Iova + 4096, 16);
        r.Bus.DmaUnmap(r.Device, (nint)r.Memory, r.Iova, BufferBytes);
        new Span<byte>(r.Memory + 8192, 16).Fill(0xEE);
        r.Edu.WriteBuffer(0, new byte[16]);
        var e = Assert.Throws<EduDmaException>(() => r.Edu.FromDevice(0, r.Iova + 8192, 16));
        Assert.That(e!.Message, Does.Contain($"to IOVA 0x{r.Iova + 8192:x} failed"));
        Assert.That(new Span<byte>(r.Memory + 8192, 16).ToArray().All(b => b == 0xEE), Is.True);
    }

    [Test]
    public void LegacyInterrupts_WorkWithUnmask()
    {
        using var r = new Rig(mode, VfioInterruptMode.Legacy);
        Assert.That(r.Edu!.InterruptIndex, Is.Zero);
        for (int i = 0; i < 100; i++) r.Memory[i] = (byte)i;
        r.Edu.Copy(r.Iova, r.Iova + 4096, 100);
        r.Edu.Copy(r.Iova, r.Iova + 8192, 100);
        Assert.That(r.Memory[8192 + 99], Is.EqualTo(99));
    }

    [Test]
    public void Unplug_ReleasesEverything()
    {
        var r = new Rig(mode);
        try
        {
            var bar0 = r.Device.Mapping!.Bar(0);
            ulong start = (ulong)bar0.Address, end = start + bar0.Size;
            Assert.That(MappingsOverlapping(start, end), Is.Not.Empty, "BAR0 is mapped into its reserved range");
            r.Bus.Unplug(r.Device);
            Assert.That(r.Driver.Devices, Is.Empty);
            Assert.That(MappingsOverlapping(start, end), Is.Empty, "nothing is left in BAR0's reserved range");
            var model = (EduDeviceModel)r.Kernel.GetDeviceModel("0000:01:00.0");
            Assert.That(model.CommandRegister & 0x4, Is.Zero, "bus mastering off again");
            r.Vfio.Dispose();
            Assert.That(r.Kernel.Resources, Is.EqualTo(default(KernelResources)));
        }
        finally
        {
            r.Dispose();
        }
    }

    private static List<string> MappingsOverlapping(ulong start, ulong end) =>
        File.ReadLines("/proc/self/maps").Where(line =>
        {
            var range = line[..line.IndexOf(' ')].Split('-');
            return Convert.ToUInt64(range[0], 16) < end && Convert.ToUInt64(range[1], 16) > start;
        }).ToList();

    [Test]
    public void MsiInterrupts_WhenAskedFor()
    {
        using var r = new Rig(mode, VfioInterruptMode.Msi);
        Assert.That(r.Edu!.InterruptIndex, Is.EqualTo(1));
        for (int i = 0; i < 64; i++) r.Memory[i] = (byte)(i + 1);
        r.Edu.Copy(r.Iova, r.Iova + 4096, 64);
        Assert.That(r.Memory[4096 + 63], Is.EqualTo(64));
    }

    private sealed class MappingDriver : PciDriver
    {
        public override string Name => "net_mapping";
        public override DriverFlags Flags => DriverFlags.NeedMapping;
        public override IReadOnlyList<PciId> IdTable { get; } = [PciId.Device(0x8086, 0x1572)];
        public PciMappedDevice? Seen;
        public override ProbeOutcome Probe(PciDevice device)
        {
            Seen = device.Mapping;
            return ProbeOutcome.Probed;
        }
    }

    [Test]
    public void GenericFunction_MsixTableHoleAndMissingInterruptKind()
    {
        string spec = mode switch
        {
            VfioMode.Group => "vfio=1,kernel=0,iommufd=off",
            VfioMode.NoIommu => "vfio=1,kernel=0,iommu=off,noiommu=on",
            _ => "vfio=1,kernel=0",
        };
        using var platform = EmulatedPlatform.FromSpec(spec);
        // A function with MSI-X and INTx but no MSI capability (the generic fallback model has MSI since it mirrors QEMU's).
        var models = new PciDeviceModelRegistry(genericFallback: false).Add(0x8086, 0x1572, d => new PciFunctionModel(d));
        using var kernel = new EmulatedKernel(platform, models.AsProvider());
        using (var vfio = new VfioManager(kernel, platform))
        {
            var driver = new MappingDriver();
            using (var bus = new PciBus([driver]))
            {
                bus.UseVfio(vfio, kernel, VfioInterruptMode.Msi);
                bus.Scan(new BusContext(platform, [], NullLoggerFactory.Instance));
                var report = bus.Probe();
                Assert.That(report.Failures.Single().Reason, Does.Contain(
                    "0000:01:00.0: --vfio-intr=msi: the device has no msi interrupt with eventfd support; use another --vfio-intr value (or leave it out to pick the first supported)"));
                Assert.That(kernel.Resources.DeviceMappings, Is.Zero, "the failed probe unmapped its BARs");

                bus.UseVfio(vfio, kernel, VfioInterruptMode.Auto);
                bus.Scan(new BusContext(platform, [], NullLoggerFactory.Instance));
                Assert.That(bus.Probe().Failures, Is.Empty);
                var m = driver.Seen!;
                Assert.That(m.Bar(0).MappedAreas, Is.EqualTo(new[] { (0ul, 0x80_0000ul) }));
                Assert.That(m.Bar(3).MappedAreas, Is.EqualTo(new[] { (0x1000ul, 0x7000ul) }), "the MSI-X table page is left out");
                Assert.That(m.Bar(3).Address - m.Bar(3).Address % 4096, Is.EqualTo(m.Bar(3).Address), "reserved range is page aligned");
                m.Write32(3, 0x1000, 0xabcd1234);
                Assert.That(m.Read32(3, 0x1000), Is.EqualTo(0xabcd1234u));
                Assert.That(m.InterruptIndex, Is.EqualTo(2));
            }
        }
        Assert.That(kernel.Resources, Is.EqualTo(default(KernelResources)));
    }
}

using Eal.Bus.Pci;
using Eal.Emulation;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Eal.Bus.Tests.Pci;

[TestFixture]
public sealed class PciIovaTests
{
    // spec of a one-function machine, driver flags, the hook's answer (null = default) -> bus answer
    [TestCase("vfio=1,kernel=0", DriverFlags.None, null, IovaMode.DontCare)]
    [TestCase("vfio=1,kernel=0", DriverFlags.NeedIovaAsVa, null, IovaMode.VA)]
    [TestCase("vfio=1,kernel=0,iommu=off,noiommu=on", DriverFlags.None, null, IovaMode.PA)]
    [TestCase("vfio=1,kernel=0,iommu=off,noiommu=on", DriverFlags.NeedIovaAsVa, null, IovaMode.PA)]
    [TestCase("vfio=0,kernel=0,uio=1", DriverFlags.None, null, IovaMode.PA)]
    [TestCase("vfio=0,kernel=1", DriverFlags.None, null, IovaMode.DontCare)]
    [TestCase("vfio=0,kernel=1", DriverFlags.NeedIovaAsVa, null, IovaMode.VA)]
    [TestCase("vfio=0,kernel=0,unbound=1", DriverFlags.NeedIovaAsVa, null, IovaMode.DontCare)]
    [TestCase("vfio=0,kernel=1,kernel-driver=nbl_core", DriverFlags.None, IovaMode.PA, IovaMode.PA)]
    [TestCase("vfio=1,kernel=0", DriverFlags.NeedIovaAsVa, IovaMode.PA, IovaMode.PA)]
    [TestCase("vfio=0,kernel=0,uio=1", DriverFlags.None, IovaMode.VA, IovaMode.PA)]
    public void BusAnswer(string spec, DriverFlags flags, IovaMode? hook, IovaMode expected)
    {
        using var p = EmulatedPlatform.FromSpec(spec);
        var drv = new RecordingPciDriver("net_x", flags) { IovaHook = hook is { } h ? _ => h : null };
        using var bus = new PciBus([drv]);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance));
        Assert.That(bus.GetIovaRequirement(), Is.EqualTo(expected));
    }

    [Test]
    public void NoMatchingDriver_DontCare()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,uio=1,kernel=0");
        using var bus = new PciBus([new RecordingPciDriver("net_x", DriverFlags.None, PciId.Device(0x1af4, 0x1041))]);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance));
        Assert.That(bus.GetIovaRequirement(), Is.EqualTo(IovaMode.DontCare));
    }

    [Test]
    public void ConflictingWishes_DontCare()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,uio=1,kernel=0");
        using var bus = new PciBus([new RecordingPciDriver("net_x", DriverFlags.NeedIovaAsVa)]);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance));
        Assert.That(bus.GetIovaRequirement(), Is.EqualTo(IovaMode.DontCare));
    }

    [Test]
    public void BlockedFunctions_DoNotCount()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,uio=1,kernel=0");
        var block = new Eal.Devargs.DeviceArguments { Text = "0000:01:00.1", Bus = "pci", Name = "0000:01:00.1", Policy = Eal.Devargs.DevargsPolicy.Block };
        using var bus = new PciBus([new RecordingPciDriver("net_x", DriverFlags.NeedIovaAsVa)]);
        bus.Scan(new BusContext(p, [block], NullLoggerFactory.Instance));
        Assert.That(bus.GetIovaRequirement(), Is.EqualTo(IovaMode.VA));
    }

    [Test]
    public void Probe_RefusesDeviceWhoseWishDiffersFromEalMode()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=1,kernel-driver=nbl_core");
        var drv = new RecordingPciDriver("net_nbl") { IovaHook = _ => IovaMode.PA };
        using var bus = new PciBus([drv]);
        var context = new BusContext(p, [], NullLoggerFactory.Instance);
        bus.Scan(context);
        context.IovaMode = IovaMode.VA;
        var report = bus.Probe();
        Assert.That(report.Failures.Single().Reason, Is.EqualTo(
            "0000:01:00.0: driver net_nbl needs IOVA as PA (the driver says so) but EAL selected IOVA as VA; start with --iova-mode=pa or block the device with -b 0000:01:00.0"));
        Assert.That(drv.Probed, Is.Empty);

        context.IovaMode = IovaMode.PA;
        Assert.That(bus.Probe().Probed.Single().Name, Is.EqualTo("0000:01:00.0"));
    }

    [Test]
    public void Probe_NoIommuVfio_UnderVa_SaysWhy()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0,iommu=off,noiommu=on");
        using var bus = new PciBus([new RecordingPciDriver("net_x")]);
        var context = new BusContext(p, [], NullLoggerFactory.Instance);
        bus.Scan(context);
        context.IovaMode = IovaMode.VA;
        Assert.That(bus.Probe().Failures.Single().Reason, Does.StartWith("0000:01:00.0: driver net_x needs IOVA as PA (vfio-pci runs in no-IOMMU mode) but EAL selected IOVA as VA"));
    }
}

using Eal.Bus.Pci;
using Eal.Devargs;
using Eal.Emulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Eal.Bus.Tests.Pci;

[TestFixture]
public sealed class PciBusProbeTests
{
    private static BusContext Context(EmulatedPlatform p, params DeviceArguments[] devargs) =>
        new(p, devargs, NullLoggerFactory.Instance);

    private static DeviceArguments Allow(string name) => new() { Text = name, Bus = "pci", Name = name, Policy = DevargsPolicy.Allow };

    private static DeviceArguments Block(string name) => new() { Text = name, Bus = "pci", Name = name, Policy = DevargsPolicy.Block };

    [TestCase(0x8086, 0x1572, 0x8086, 0x0000, 0x020000, true)]
    [TestCase(0x8086, 0x1573, 0x8086, 0x0000, 0x020000, false)]
    [TestCase(0x8087, 0x1572, 0x8086, 0x0000, 0x020000, false)]
    public void IdTable_ExactDevice(int vendor, int device, int subVendor, int subDevice, int classId, bool matches)
    {
        var id = new PciDeviceId((ushort)vendor, (ushort)device, (ushort)subVendor, (ushort)subDevice, (uint)classId);
        Assert.That(PciId.Device(0x8086, 0x1572).Matches(id), Is.EqualTo(matches));
    }

    private static readonly PciDeviceId X710 = new(0x8086, 0x1572, 0x8086, 0x0001, 0x020000);

    private static IEnumerable<TestCaseData> IdCases()
    {
        yield return new TestCaseData(new PciId(0x8086, 0x1572, 0x8086, 0x0001, 0x020000), true).SetName("all fields equal");
        yield return new TestCaseData(new PciId(0x8086, 0x1572, 0x8086, 0x0002), false).SetName("subsystem device differs");
        yield return new TestCaseData(new PciId(PciId.AnyId, 0x1572), true).SetName("any vendor");
        yield return new TestCaseData(new PciId(0x8086, PciId.AnyId, PciId.AnyId, 0x0001), true).SetName("any device, subsystem device equal");
        yield return new TestCaseData(PciId.Class(0x020000), true).SetName("class equal");
        yield return new TestCaseData(PciId.Class(0x028000), false).SetName("other subclass, full mask");
        yield return new TestCaseData(PciId.Class(0x028000, 0xFF0000), true).SetName("class mask: any network controller");
        yield return new TestCaseData(PciId.Class(0x010000, 0xFF0000), false).SetName("class mask: storage controller");
        yield return new TestCaseData(new PciId(0x8086, 0x1572, ClassId: 0x020001), false).SetName("prog-if differs");
        yield return new TestCaseData(new PciId(0x8086, 0x1572, ClassId: 0x020001, ClassMask: 0xFFFF00), true).SetName("prog-if masked out");
    }

    [TestCaseSource(nameof(IdCases))]
    public void IdTable_WildcardsAndClassMasks(PciId entry, bool matches) =>
        Assert.That(entry.Matches(X710), Is.EqualTo(matches));

    [Test]
    public void Probe_OnlyBoundFunctions_FirstMatchingDriverTakes()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=2,kernel=1,unbound=1");
        var a = new RecordingPciDriver("net_a");
        var b = new RecordingPciDriver("net_b");
        using var bus = new PciBus([a, b]);
        bus.Scan(Context(p));
        var report = bus.Probe();
        Assert.That(report.Probed.Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1", "0000:01:00.2" }));
        Assert.That(report.Failures, Is.Empty);
        Assert.That(a.Probed, Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1", "0000:01:00.2" }));
        Assert.That(b.Probed, Is.Empty);
        Assert.That(bus.FindDevice("0000:01:00.3")!.IsProbed, Is.False, "unbound functions are listed but never probed");
        Assert.That(bus.FindDevice("0000:01:00.0")!.Driver, Is.SameAs(a));
    }

    [Test]
    public void Probe_DeclineFallsThrough_FailureIsReportedAndDoesNotStopOthers()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        var failing = new RecordingPciDriver("net_fail") { OnProbe = d => d.Name == "0000:01:00.1" ? throw new InvalidOperationException("firmware too old; update it") : ProbeOutcome.Declined };
        var fallback = new RecordingPciDriver("net_fallback");
        using var bus = new PciBus([failing, fallback]);
        bus.Scan(Context(p));
        var report = bus.Probe();
        Assert.That(report.Probed.Select(d => (d.Name, d.Driver!.Name)), Is.EqualTo(new[] { ("0000:01:00.0", "net_fallback"), ("0000:01:00.2", "net_fallback") }));
        var failure = report.Failures.Single();
        Assert.That(failure.Device.Name, Is.EqualTo("0000:01:00.1"));
        Assert.That(failure.Driver, Is.SameAs(failing));
        Assert.That(failure.Reason, Is.EqualTo("firmware too old; update it"));
    }

    [Test]
    public void AllowList_ProbesOnlyNamedFunctions()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        var drv = new RecordingPciDriver("net_a");
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p, Allow("0000:01:00.1")));
        var report = bus.Probe();
        Assert.That(report.Probed.Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.1" }));
        Assert.That(report.Probed[0].Devargs?.Name, Is.EqualTo("0000:01:00.1"));
        Assert.That(bus.Devices, Has.Count.EqualTo(3), "ignored functions stay listed");
    }

    [Test]
    public void BlockList_ProbesAllButNamedFunctions()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        var drv = new RecordingPciDriver("net_a");
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p, Block("01:00.1")));
        Assert.That(bus.Probe().Probed.Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.2" }));
    }

    [Test]
    public void NoAutoProbing_WithoutDevargs_ProbesNothing()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=2,kernel=0");
        using var bus = new PciBus([new RecordingPciDriver("net_a")]);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance) { NoAutoProbing = true });
        Assert.That(bus.Probe().Probed, Is.Empty);
    }

    [Test]
    public void NeedMapping_OnVfio_FailsClearlyUntilVfioLands()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        var drv = new RecordingPciDriver("net_map", DriverFlags.NeedMapping);
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p));
        var report = bus.Probe();
        Assert.That(report.Failures.Single().Reason, Is.EqualTo("0000:01:00.0: cannot map BARs: VFIO mapping is not available yet in this build; use a driver without DriverFlags.NeedMapping"));
        Assert.That(drv.Probed, Is.Empty, "the driver never runs on unmapped BARs");
    }

    [Test]
    public void NeedMapping_OnOtherKernelDriver_IsNotManaged()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=1");
        var drv = new RecordingPciDriver("net_map", DriverFlags.NeedMapping);
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p));
        var report = bus.Probe();
        Assert.That(report.Probed, Is.Empty);
        Assert.That(report.Failures, Is.Empty);
        Assert.That(drv.Probed, Is.Empty);
    }

    [Test]
    public void NoMapping_DriverRunsOnCoexistingKernelDriver()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=1,kernel-driver=nbl_core");
        var drv = new RecordingPciDriver("net_nbl", DriverFlags.LinkStatusInterrupt | DriverFlags.ProbeAgain);
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p));
        Assert.That(bus.Probe().Probed.Single().Name, Is.EqualTo("0000:01:00.0"));
    }

    [Test]
    public void Mapping_IsUndoneOnFailureDeclineAndRemove()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        var drv = new RecordingPciDriver("net_map", DriverFlags.NeedMapping)
        {
            OnProbe = d => d.Name switch
            {
                "0000:01:00.0" => throw new InvalidOperationException("no link"),
                "0000:01:00.1" => ProbeOutcome.Declined,
                _ => ProbeOutcome.Probed,
            },
        };
        using var bus = new MappingPciBus([drv]);
        bus.Scan(Context(p));
        bus.Probe();
        bus.Unplug(bus.FindDevice("0000:01:00.2")!);
        Assert.That(bus.Calls, Is.EqualTo(new[]
        {
            "map 0000:01:00.0", "unmap 0000:01:00.0",
            "map 0000:01:00.1", "unmap 0000:01:00.1",
            "map 0000:01:00.2", "unmap 0000:01:00.2",
        }));
        Assert.That(drv.Removed, Is.EqualTo(new[] { "0000:01:00.2" }));
    }

    [Test]
    public void Hotplug_PlugAfterAddingToTree_UnplugRemoves()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        var drv = new RecordingPciDriver("net_a");
        using var bus = new PciBus([drv]);
        bus.Scan(Context(p));
        bus.Probe();

        var missing = Assert.Throws<DeviceProbeException>(() => bus.Plug(Allow("0000:02:00.0")));
        Assert.That(missing!.Message, Is.EqualTo("pci:0000:02:00.0: no such device after rescanning the bus (ENODEV)"));

        p.AddPciFunction(new PciFunctionDescription { Address = "0000:02:00.0", VendorId = 0x8086, DeviceId = 0x1572, Driver = "vfio-pci", IommuGroup = 7 });
        var device = (PciDevice)bus.Plug(Allow("0000:02:00.0"));
        Assert.That(device.IsProbed, Is.True);
        Assert.That(device.IommuGroup, Is.EqualTo(7));
        Assert.That(drv.Probed, Is.EqualTo(new[] { "0000:01:00.0", "0000:02:00.0" }));

        var again = Assert.Throws<DeviceProbeException>(() => bus.Plug(Allow("0000:02:00.0")));
        Assert.That(again!.Message, Is.EqualTo("pci:0000:02:00.0: already probed by net_a (EEXIST)"));

        bus.Unplug(device);
        Assert.That(drv.Removed, Is.EqualTo(new[] { "0000:02:00.0" }));
        p.RemovePciFunction("0000:02:00.0");
        bus.Scan(Context(p));
        Assert.That(bus.FindDevice("0000:02:00.0"), Is.Null);
    }

    [Test]
    public void Plug_UnboundFunction_IsRefused()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=0,unbound=1");
        using var bus = new PciBus([new RecordingPciDriver("net_a")]);
        bus.Scan(Context(p));
        var ex = Assert.Throws<DeviceProbeException>(() => bus.Plug(Allow("0000:01:00.0")));
        Assert.That(ex!.Message, Does.StartWith("pci:0000:01:00.0: no driver took the device"));
    }

    [Test]
    public void Cleanup_RemovesProbedLastFirst()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=2,kernel=0");
        var drv = new RecordingPciDriver("net_a");
        var bus = new PciBus([drv]);
        bus.Scan(Context(p));
        bus.Probe();
        bus.Dispose();
        Assert.That(drv.Removed, Is.EqualTo(new[] { "0000:01:00.1", "0000:01:00.0" }));
        Assert.That(bus.Devices, Is.Empty);
    }

    private sealed class DiDriver : RecordingPciDriver
    {
        public DiDriver() : base("net_di") { }
    }

    [Test]
    public void DependencyInjection_RegistersBusOnceWithAllDrivers()
    {
        var services = new ServiceCollection();
        services.AddPciDriver<DiDriver>();
        services.AddPciDriver<DiDriver>();
        services.AddPciBus();
        using var sp = services.BuildServiceProvider();
        var buses = sp.GetServices<Bus>().ToList();
        Assert.That(buses, Has.Count.EqualTo(1));
        Assert.That(buses[0], Is.SameAs(sp.GetRequiredService<PciBus>()));
        Assert.That(buses[0].Drivers.Select(d => d.Name), Is.EqualTo(new[] { "net_di" }));
    }
}

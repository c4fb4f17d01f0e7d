using Eal.Bus.Pci;
using Eal.Devargs;
using Eal.Emulation;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Eal.Bus.Tests.Pci;

[TestFixture]
public sealed class PciBusScanTests
{
    private static PciBus Scan(EmulatedPlatform p, params PciDriver[] drivers)
    {
        var bus = new PciBus(drivers);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance));
        return bus;
    }

    [Test]
    public void Scan_ReadsEveryField()
    {
        using var p = EmulatedPlatform.FromSpec("numa=2,cpus=4,vfio=1,kernel=1,vfs=1,unbound=1");
        using var bus = Scan(p);
        var d = bus.PciDevices;
        Assert.That(d.Select(x => x.Name), Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3" }));
        Assert.That(bus.ScanDiagnostics, Is.Empty);

        var vfio = d[0];
        Assert.That(vfio.Id, Is.EqualTo(new PciDeviceId(0x8086, 0x1572, 0x8086, 0x0000, 0x020000)));
        Assert.That(vfio.Revision, Is.EqualTo(2));
        Assert.That(vfio.NumaNode, Is.EqualTo(0));
        Assert.That(vfio.KernelDriver, Is.EqualTo("vfio-pci"));
        Assert.That(vfio.KernelDriverKind, Is.EqualTo(PciKernelDriverKind.Vfio));
        Assert.That(vfio.IommuGroup, Is.EqualTo(0));
        Assert.That(vfio.VfioCdev, Is.EqualTo(0));
        Assert.That(vfio.Resources, Has.Count.EqualTo(6));
        Assert.That(vfio.Resources[0], Is.EqualTo(new PciResource(0, 0x3800_0000_0000, 0x80_0000, 0x14220c)));
        Assert.That(vfio.Resources[0].IsMemory && vfio.Resources[0].Is64Bit && vfio.Resources[0].IsPrefetchable, Is.True);
        Assert.That(vfio.Resources[1].Length, Is.EqualTo(0UL));
        Assert.That(vfio.Resources[3].Length, Is.EqualTo(0x8000UL));
        Assert.That(vfio.BusInfo, Is.EqualTo("vendor_id=8086, device_id=1572"));

        var pf = d[1];
        Assert.That(pf.NumaNode, Is.EqualTo(1));
        Assert.That(pf.KernelDriverKind, Is.EqualTo(PciKernelDriverKind.Other));
        Assert.That(pf.KernelDriver, Is.EqualTo("i40e"));
        Assert.That(pf.VfioCdev, Is.Null);
        Assert.That(pf.MaxVfs, Is.EqualTo(1));
        Assert.That(pf.TotalVfs, Is.EqualTo(64));

        var unbound = d[2];
        Assert.That(unbound.KernelDriver, Is.Null);
        Assert.That(unbound.KernelDriverKind, Is.EqualTo(PciKernelDriverKind.None));

        var vf = d[3];
        Assert.That(vf.Id.DeviceId, Is.EqualTo(0x154c));
        Assert.That(vf.PhysicalFunction, Is.EqualTo(PciAddress.Parse("0000:01:00.1")));
        Assert.That(vf.VfioCdev, Is.EqualTo(1));
    }

    [Test]
    public void Scan_UioAndNoNumaNode()
    {
        var m = MachineSpec.Parse("vfio=0,kernel=0,uio=1");
        m.PciFunctions[0].NumaNode = -1;
        m.PciFunctions[0].Overrides["max_vfs"] = "3\n";
        using var p = new EmulatedPlatform(m);
        using var bus = Scan(p);
        var d = bus.PciDevices.Single();
        Assert.That(d.KernelDriverKind, Is.EqualTo(PciKernelDriverKind.IgbUio));
        Assert.That(d.NumaNode, Is.EqualTo(-1));
        Assert.That(d.MaxVfs, Is.EqualTo(3), "max_vfs wins over sriov_numvfs");
    }

    [TestCase("vendor", null, "0000:01:00.0: cannot read {dir}/vendor: the file is missing; the function is skipped")]
    [TestCase("device", "0x1572", "0000:01:00.0: cannot parse {dir}/device: \"0x1572\" is not a number in 0..0xffff followed by a newline; the function is skipped")]
    [TestCase("subsystem_vendor", "0x12345\n", "0000:01:00.0: cannot parse {dir}/subsystem_vendor: \"0x12345\\n\" is not a number in 0..0xffff")]
    [TestCase("class", "garbage\n", "0000:01:00.0: cannot parse {dir}/class: \"garbage\\n\" is not a class code such as 0x020000 followed by a newline; the function is skipped")]
    [TestCase("class", null, "0000:01:00.0: cannot read {dir}/class: the file is missing; the function is skipped")]
    [TestCase("resource", "0x0 0x0 0x0\n0x0 0x0\n", "0000:01:00.0: cannot parse {dir}/resource: line 2 \"0x0 0x0\" is not three hex numbers")]
    [TestCase("resource", "0x0000000000000000 0x0000000000000000 0x0000000000000000\n", "0000:01:00.0: cannot parse {dir}/resource: it has 1 complete line(s); 6 BAR lines")]
    [TestCase("resource", null, "0000:01:00.0: cannot read {dir}/resource: the file is missing; the function is skipped")]
    [TestCase("numa_node", "x\n", "0000:01:00.0: cannot parse {dir}/numa_node: \"x\\n\" is not a NUMA node number (or -1) followed by a newline; the function is skipped")]
    [TestCase("driver", "vfio-pci\n", "0000:01:00.0: {dir}/driver is not a symbolic link to bus/pci/drivers/<name>; the function is skipped")]
    [TestCase("iommu_group", "7\n", "0000:01:00.0: {dir}/iommu_group is not a symbolic link to kernel/iommu_groups/<number>; the function is skipped")]
    public void MalformedFile_SkipsOnlyThatFunction(string file, string? content, string expected)
    {
        var m = MachineSpec.Parse("vfio=2,kernel=0");
        m.PciFunctions[0].Overrides[file] = content;
        using var p = new EmulatedPlatform(m);
        using var bus = Scan(p);
        string dir = Path.Combine(p.SysfsRoot, "bus", "pci", "devices", "0000:01:00.0");
        Assert.That(bus.PciDevices.Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.1" }));
        var diag = bus.ScanDiagnostics.Single();
        Assert.That(diag.Message, Does.StartWith(expected.Replace("{dir}", dir, StringComparison.Ordinal)));
        Assert.That(diag.File, Is.EqualTo(Path.Combine(dir, file)));
        Assert.That(diag.DeviceSkipped, Is.True);
    }

    [Test]
    public void MissingNumaNode_MeansAnyNode()
    {
        var m = MachineSpec.Parse("vfio=1,kernel=0,numa=2,cpus=2");
        m.PciFunctions[0].Overrides["numa_node"] = null;
        using var p = new EmulatedPlatform(m);
        using var bus = Scan(p);
        Assert.That(bus.PciDevices.Single().NumaNode, Is.EqualTo(Device.NumaNodeAny));
        Assert.That(bus.ScanDiagnostics, Is.Empty);
    }

    [TestCase("sriov_numvfs", "lots\n", "ignoring {dir}/sriov_numvfs: \"lots\\n\" is not a VF count in 0..65535")]
    [TestCase("revision", null, "{dir}/revision is missing or not a number in 0..0xff; revision taken as 0")]
    public void MalformedOptionalFile_WarnsButKeepsTheFunction(string file, string? content, string expected)
    {
        var m = MachineSpec.Parse("vfio=1,kernel=0");
        m.PciFunctions[0].Overrides[file] = content;
        using var p = new EmulatedPlatform(m);
        using var bus = Scan(p);
        string dir = Path.Combine(p.SysfsRoot, "bus", "pci", "devices", "0000:01:00.0");
        Assert.That(bus.PciDevices, Has.Count.EqualTo(1));
        var diag = bus.ScanDiagnostics.Single();
        Assert.That(diag.Message, Is.EqualTo("0000:01:00.0: " + expected.Replace("{dir}", dir, StringComparison.Ordinal)));
        Assert.That(diag.DeviceSkipped, Is.False);
    }

    [Test]
    public void NonAddressEntries_AreIgnored_AndMissingDirectoryIsReported()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        Directory.CreateDirectory(Path.Combine(p.SysfsRoot, "bus/pci/devices/.hidden"));
        Directory.CreateDirectory(Path.Combine(p.SysfsRoot, "bus/pci/devices/01:00.0"));
        Directory.CreateDirectory(Path.Combine(p.SysfsRoot, "bus/pci/devices/garbage"));
        using (var bus = Scan(p))
        {
            Assert.That(bus.PciDevices.Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.0" }));
            Assert.That(bus.ScanDiagnostics, Is.Empty);
        }
        Directory.Delete(Path.Combine(p.SysfsRoot, "bus/pci"), recursive: true);
        using var empty = Scan(p);
        Assert.That(empty.Devices, Is.Empty);
        Assert.That(empty.ScanDiagnostics.Single().Message, Does.StartWith($"PCI scan: directory '{Path.Combine(p.SysfsRoot, "bus", "pci", "devices")}' does not exist"));
    }

    [Test]
    public void NoPci_ScansNothing()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=2");
        using var bus = new PciBus([]);
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance) { NoPci = true });
        Assert.That(bus.Devices, Is.Empty);
    }

    [Test]
    public void Rescan_RefreshesUnprobed_AddsNew_DropsVanished_KeepsProbed()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        var driver = new RecordingPciDriver("net_test");
        using var bus = Scan(p, driver);
        bus.Probe();
        var first = bus.FindDevice(PciAddress.Parse("0000:01:00.0"))!;
        Assert.That(first.IsProbed, Is.True);
        var kept = first;

        // Unprobe 01:00.1 and 01:00.2 by unplugging, then change the tree.
        var second = bus.FindDevice(PciAddress.Parse("0000:01:00.1"))!;
        bus.Unplug(second);
        bus.Unplug(bus.FindDevice(PciAddress.Parse("0000:01:00.2"))!);
        p.BindDriver("0000:01:00.1", "ixgbe");
        p.RemovePciFunction("0000:01:00.2");
        p.RemovePciFunction("0000:01:00.0");
        p.AddPciFunction(new PciFunctionDescription { Address = "0000:00:1f.0", VendorId = 0x8086, DeviceId = 0x1234, ClassCode = 0x060100 });
        bus.Scan(new BusContext(p, [], NullLoggerFactory.Instance));

        Assert.That(bus.PciDevices.Select(d => d.Name), Is.EqualTo(new[] { "0000:00:1f.0", "0000:01:00.0", "0000:01:00.1" }));
        Assert.That(bus.FindDevice(PciAddress.Parse("0000:01:00.0")), Is.SameAs(kept), "a probed function that vanished stays until unplugged");
        Assert.That(second.KernelDriverKind, Is.EqualTo(PciKernelDriverKind.Other));
        Assert.That(second.KernelDriver, Is.EqualTo("ixgbe"));
    }

    [Test]
    public void ThousandsOfFunctions_AreSortedByAddress()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=600,kernel=0");
        using var bus = Scan(p);
        var names = bus.PciDevices.Select(d => d.Address).ToList();
        Assert.That(names, Has.Count.EqualTo(600));
        Assert.That(names, Is.Ordered);
        Assert.That(bus.FindDevice("02:00.3")?.Name, Is.EqualTo("0000:02:00.3"));
    }

    [Test]
    public void Names_ParseBusLayerAndIterate()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=2,kernel=0");
        using var bus = Scan(p);
        Assert.That(bus.TryParseDeviceName("1:0.1", out var n), Is.True);
        Assert.That(n, Is.EqualTo("0000:01:00.1"));
        Assert.That(bus.TryParseDeviceName("net_null0", out _), Is.False);
        Assert.That(bus.DeviceNamesEqual("01:00.1", "0000:01:00.1"), Is.True);
        Assert.That(bus.ParseBusLayer(KvArgs.Parse("addr=01:00.1")), Is.EqualTo("0000:01:00.1"));
        Assert.That(bus.ParseBusLayer(KvArgs.Parse("id=3")), Is.EqualTo(string.Empty));
        var ex = Assert.Throws<DevargsException>(() => bus.ParseBusLayer(KvArgs.Parse("addr=01:00")));
        Assert.That(ex!.Message, Does.StartWith("addr=01:00: invalid PCI address \"01:00\""));

        Assert.That(bus.Iterate(KvArgs.Parse("addr=0000:01:00.1")).Select(d => d.Name), Is.EqualTo(new[] { "0000:01:00.1" }));
        Assert.That(bus.Iterate(KvArgs.Parse("")).Count(), Is.EqualTo(2));
        var ex2 = Assert.Throws<DevargsException>(() => bus.Iterate(KvArgs.Parse("name=x")).ToList());
        Assert.That(ex2!.Message, Is.EqualTo("bus 'pci' cannot filter on key 'name'; the only key it knows is 'addr' (e.g. addr=0000:01:00.0)"));
    }
}

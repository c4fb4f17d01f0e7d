using System.Text.Json;
using DevList;
using Eal.Emulation;
using NUnit.Framework;

namespace Eal.Bus.Tests.Pci;

[TestFixture]
public sealed class DevListTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = DevListCommand.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Test]
    public void Json_OnEmulatedMachine_ListsEveryFunction()
    {
        var (code, stdout, stderr) = Run("--emulate=vfio=2,kernel=1,unbound=1,noiommu=on", "--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Is.Empty);
        using var doc = JsonDocument.Parse(stdout);
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.That(items.Select(i => i.GetProperty("address").GetString()), Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1", "0000:01:00.2", "0000:01:00.3" }));
        var first = items[0];
        Assert.That(first.GetProperty("vendorId").GetString(), Is.EqualTo("0x8086"));
        Assert.That(first.GetProperty("deviceId").GetString(), Is.EqualTo("0x1572"));
        Assert.That(first.GetProperty("class").GetString(), Is.EqualTo("0x020000"));
        Assert.That(first.GetProperty("driver").GetString(), Is.EqualTo("vfio-pci"));
        Assert.That(first.GetProperty("iommuGroup").GetInt32(), Is.EqualTo(0));
        Assert.That(first.GetProperty("numaNode").GetInt32(), Is.EqualTo(0));
        Assert.That(first.GetProperty("vfioModes").EnumerateArray().Select(m => m.GetString()), Is.EqualTo(new[] { "group", "cdev", "noiommu" }));
        Assert.That(items[2].GetProperty("driver").GetString(), Is.EqualTo("i40e"));
        Assert.That(items[2].GetProperty("driverKind").GetString(), Is.EqualTo("kernel"));
        Assert.That(items[2].GetProperty("vfioModes").GetArrayLength(), Is.EqualTo(0));
        Assert.That(items[3].GetProperty("driver").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(items[3].GetProperty("driverKind").GetString(), Is.EqualTo("none"));
    }

    [Test]
    public void GroupMode_NeedsAViableGroup_CdevNeedsDevIommu()
    {
        var m = MachineSpec.Parse("vfio=2,kernel=1,iommufd=off");
        m.PciFunctions[0].VfioCdev = 0; // a cdev node without /dev/iommu
        m.PciFunctions[1].IommuGroup = 5;
        m.PciFunctions[2].IommuGroup = 5; // shares group 5 with an i40e-bound function: not viable
        using var p = new EmulatedPlatform(m);
        using var bus = new Eal.Bus.Pci.PciBus([]);
        bus.Scan(new BusContext(p, [], Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        var entries = DevListCommand.Collect(bus, p);
        Assert.That(entries.Select(e => string.Join(',', e.VfioModes)), Is.EqualTo(new[] { "group", "", "" }));
        Assert.That(entries[0].VfioCdev, Is.EqualTo("vfio0"), "the cdev exists, but /dev/iommu does not");
    }

    [Test]
    public void Table_GroupsByDriverKind_AndDiagnosticsGoToStderr()
    {
        var (code, stdout, stderr) = Run("--emulate=vfio=1,kernel=1,unbound=1");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("Devices using a DPDK-compatible driver\n======================================\n0000:01:00.0 '8086:1572' class=0x020000 numa_node=0 iommu_group=0 drv=vfio-pci vfio=group,cdev\n"));
        Assert.That(stdout, Does.Contain("Devices using a kernel driver\n=============================\n0000:01:00.1 '8086:1572' class=0x020000 numa_node=0 iommu_group=1 drv=i40e\n"));
        Assert.That(stdout, Does.Contain("Devices bound to no driver\n==========================\n0000:01:00.2 '8086:1572' class=0x020000 numa_node=0 iommu_group=2 unused\n"));
        Assert.That(stderr, Is.Empty);
    }

    [TestCase("--bogus", 2, "DevList: unknown argument '--bogus'")]
    [TestCase("--emulate=cpus=x", 2, "DevList: --emulate: cpus=x is not valid; expected an integer in 1..4096")]
    public void BadArguments_ExitTwoWithMessage(string arg, int expectedCode, string expected)
    {
        var (code, _, stderr) = Run(arg);
        Assert.That(code, Is.EqualTo(expectedCode));
        Assert.That(stderr, Does.StartWith(expected));
    }

    [Test]
    public void RealSysfs_ListsExactlyTheFunctionsUnderSysBusPciDevices()
    {
        const string dir = "/sys/bus/pci/devices";
        if (!Directory.Exists(dir)) Assert.Ignore("no /sys/bus/pci/devices on this machine");
        var (code, stdout, _) = Run("--json");
        Assert.That(code, Is.EqualTo(0));
        using var doc = JsonDocument.Parse(stdout);
        var listed = doc.RootElement.EnumerateArray().Select(i => (i.GetProperty("address").GetString(), i.GetProperty("driver").GetString())).ToList();
        var expected = Directory.GetFileSystemEntries(dir).Order(StringComparer.Ordinal)
            .Select(path => (Path.GetFileName(path), new FileInfo(Path.Combine(path, "driver")).LinkTarget is { } t ? Path.GetFileName(t) : null)).ToList();
        Assert.That(listed, Is.EqualTo(expected));
    }
}

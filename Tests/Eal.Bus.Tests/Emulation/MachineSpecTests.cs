using NUnit.Framework;
using Eal.Emulation;
using Eal.Vfio;

namespace Eal.Bus.Tests.Emulation;

[TestFixture]
public sealed class MachineSpecTests
{
    [Test]
    public void Default_IsFourCpusTwoVfioOneKernelNic()
    {
        var m = MachineSpec.Default();
        Assert.That(m.Cpus, Is.EqualTo(4));
        Assert.That(m.NumaNodes, Has.Count.EqualTo(1));
        Assert.That(m.NumaNodes[0].Hugepages.Single().Total, Is.EqualTo(512));
        Assert.That(m.PciFunctions.Select(f => (f.Address, f.Driver, f.IommuGroup, f.VfioCdev)), Is.EqualTo(new (string, string?, int?, int?)[]
        {
            ("0000:01:00.0", "vfio-pci", 0, 0),
            ("0000:01:00.1", "vfio-pci", 1, 1),
            ("0000:01:00.2", "i40e", 2, null),
        }));
        Assert.That(m.NoIommuModeEnabled, Is.False);
    }

    [Test]
    public void Parse_AllKeys()
    {
        var m = MachineSpec.Parse("cpus=16,threads=2,numa=4,mem=1024,hugepages=1G:1,vfio=1,kernel=1,kernel-driver=ixgbe,unbound=1,uio=1,iommu=off,noiommu=on,iommufd=off,cdev=off");
        Assert.That(m.Cpus, Is.EqualTo(16));
        Assert.That(m.ThreadsPerCore, Is.EqualTo(2));
        Assert.That(m.NumaNodes.Select(n => n.MemoryMiB), Is.EqualTo(new long[] { 1024, 1024, 1024, 1024 }));
        Assert.That(m.NumaNodes[3].Hugepages.Single().SizeKiB, Is.EqualTo(1048576));
        Assert.That(m.PciFunctions.Select(f => f.Driver), Is.EqualTo(new[] { "vfio-pci", "ixgbe", "igb_uio", null }));
        Assert.That(m.PciFunctions.Select(f => f.NumaNode), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(m.IommuPresent, Is.False);
        Assert.That(m.IommufdPresent, Is.False);
        Assert.That(m.NoIommuModeEnabled, Is.True);
        Assert.That(m.PciFunctions.All(f => f.VfioCdev is null), Is.True);
        Assert.That(m.LoadedModules, Does.Contain("igb_uio"));
    }

    [TestCase("cpus=0", "--emulate: cpus=0 is not valid; expected an integer in 1..4096")]
    [TestCase("foo=1", "--emulate: unknown key 'foo' in \"foo=1\"; valid keys: cpus, threads,")]
    [TestCase("cpus=6,threads=4", "--emulate: threads=4 does not divide cpus=6")]
    [TestCase("numa=3,cpus=2", "--emulate: numa=3 is more nodes than cpus=2")]
    [TestCase("hugepages=3M:4", "--emulate: hugepages=3M:4 is not valid; expected a size of 2M or 1G")]
    [TestCase("hugepages=2M", "--emulate: hugepages=2M is not valid; expected <size>:<count per node>")]
    [TestCase("iommu=maybe", "--emulate: iommu=maybe is not valid; expected on or off")]
    [TestCase("vfs=2,kernel=0", "--emulate: vfs=2 needs a PF bound to a kernel driver; add kernel=1")]
    public void Parse_Errors_NameKeyAndValidValues(string spec, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => MachineSpec.Parse(spec));
        Assert.That(ex!.Message, Does.StartWith(expected));
    }

    [TestCase(VfioMode.Group, true, false, false)]
    [TestCase(VfioMode.NoIommu, false, true, true)] // /dev/iommu exists without an IOMMU too; the device just has no cdev
    [TestCase(VfioMode.Cdev, true, false, true)]
    public void OneFunction_IsOneVfioBoundDeviceWithTheIommuTheModeNeeds(VfioMode mode, bool iommu, bool noiommu, bool iommufd)
    {
        var m = MachineSpec.Parse(MachineSpec.OneFunction(mode, "edu"));
        Assert.That(m.PciFunctions, Has.Count.EqualTo(1));
        Assert.That(m.PciFunctions[0].Driver, Is.EqualTo("vfio-pci"));
        Assert.That(m.PciFunctions[0].VendorId, Is.EqualTo(0x1234u), "QEMU's edu");
        Assert.That((m.IommuPresent, m.NoIommuModeEnabled, m.IommufdPresent), Is.EqualTo((iommu, noiommu, iommufd)));
        Assert.That(m.NumaNodes.Single().Hugepages.Single(), Has.Property("SizeKiB").EqualTo(2048).And.Property("Total").EqualTo(64));
        Assert.That(MachineSpec.Parse(MachineSpec.OneFunction(mode, "e1000e")).PciFunctions.Single().DeviceId, Is.EqualTo(0x10d3u));
    }

    [Test]
    public void OneFunction_RejectsNoModeAndNoDevice()
    {
        Assert.That(() => MachineSpec.OneFunction(VfioMode.None, "edu"), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("group, noiommu or cdev"));
        Assert.That(() => MachineSpec.OneFunction(VfioMode.Group, ""), Throws.ArgumentException);
    }

    [Test]
    public void AddressOf_FillsFunctionsThenDevicesThenBuses()
    {
        Assert.That(MachineSpec.AddressOf(0), Is.EqualTo("0000:01:00.0"));
        Assert.That(MachineSpec.AddressOf(9), Is.EqualTo("0000:01:01.1"));
        Assert.That(MachineSpec.AddressOf(256), Is.EqualTo("0000:02:00.0"));
        Assert.That(MachineSpec.AddressOf(255 * 256), Is.EqualTo("0001:01:00.0"));
    }

    [Test]
    public void Json_RoundTripsWithHexIds()
    {
        var m = MachineSpec.Parse("vfio=1,kernel=1,vfs=1");
        string json = MachineJson.Serialize(m);
        Assert.That(json, Does.Contain("\"vendorId\": \"0x8086\""));
        Assert.That(json, Does.Contain("\"classCode\": \"0x020000\""));
        Assert.That(json, Does.Contain("\"flags\": \"Memory, Prefetchable, Memory64\""));
        var back = MachineJson.Parse(json);
        Assert.That(MachineJson.Serialize(back), Is.EqualTo(json));
        Assert.That(back.PciFunctions[2].PhysicalFunction, Is.EqualTo("0000:01:00.1"));
    }

    [Test]
    public void Json_Errors_NameTheFieldAndSource()
    {
        var ex = Assert.Throws<FormatException>(() => MachineJson.Parse("""{"pciFunctions":[{"address":"zz"}]}""", "test"));
        Assert.That(ex!.Message, Is.EqualTo("machine description test: PCI address 'zz' is not DDDD:BB:DD.F (e.g. 0000:01:00.0)"));
        ex = Assert.Throws<FormatException>(() => MachineJson.Parse("""{"cpuz":4}""", "test"));
        Assert.That(ex!.Message, Does.StartWith("machine description test: The JSON property 'cpuz' could not be mapped"));
        ex = Assert.Throws<FormatException>(() => MachineJson.Parse("""{"pciFunctions":[{"address":"0000:01:00.0","vendorId":"0xZZ"}]}""", "test"));
        Assert.That(ex!.Message, Does.Contain("'0xZZ' is not a number; write hex as \"0x1af4\" or decimal digits"));
        ex = Assert.Throws<FormatException>(() => MachineJson.Parse("""{"numaNodes":[{"id":0,"hugepages":[{"sizeKiB":2048,"total":1,"free":2}]}]}""", "test"));
        Assert.That(ex!.Message, Is.EqualTo("machine description test: node 0 hugepages-2048kB has total 1, free 2; need 0 <= free <= total"));
    }

    [Test]
    public void Resolve_EmptyFileOrInline()
    {
        Assert.That(MachineSpec.Resolve(null).PciFunctions, Has.Count.EqualTo(3));
        Assert.That(MachineSpec.Resolve("cpus=2,vfio=0,kernel=0").Cpus, Is.EqualTo(2));
        string path = Path.Combine(Path.GetTempPath(), "h5-machine-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, """{ "cpus": 2, "pciFunctions": [ { "address": "02:00.0", "vendorId": "0x1af4", "deviceId": 4161, "driver": "virtio-pci" } ] }""");
            var m = MachineSpec.Resolve(path);
            Assert.That(m.Cpus, Is.EqualTo(2));
            Assert.That(m.PciFunctions.Single().Address, Is.EqualTo("0000:02:00.0"));
            Assert.That(m.PciFunctions.Single().DeviceId, Is.EqualTo(0x1041u));
        }
        finally
        {
            File.Delete(path);
        }
        var ex = Assert.Throws<FileNotFoundException>(() => MachineSpec.Resolve("/nonexistent/machine.json"));
        Assert.That(ex!.Message, Does.StartWith("--emulate=/nonexistent/machine.json: no such machine description file"));
    }
}

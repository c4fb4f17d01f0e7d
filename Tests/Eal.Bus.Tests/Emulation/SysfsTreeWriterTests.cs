using NUnit.Framework;
using System.Buffers.Binary;
using Eal.Emulation;
using Eal.Platform;

namespace Eal.Bus.Tests.Emulation;

[TestFixture]
public sealed class SysfsTreeWriterTests
{
    private static string Read(EmulatedPlatform p, string relative) => File.ReadAllText(Path.Combine(p.SysfsRoot, relative));

    private static string? Link(string path) => new FileInfo(path).LinkTarget;

    [Test]
    public void DefaultMachine_WritesPciFunctionsLikeLinux()
    {
        using var p = new EmulatedPlatform();
        var devices = Directory.GetFileSystemEntries(Path.Combine(p.SysfsRoot, "bus", "pci", "devices")).Select(Path.GetFileName).Order().ToArray();
        Assert.That(devices, Is.EqualTo(new[] { "0000:01:00.0", "0000:01:00.1", "0000:01:00.2" }));

        string bdf = "0000:01:00.0";
        Assert.That(Link(Path.Combine(p.SysfsRoot, "bus", "pci", "devices", bdf)), Is.EqualTo("../../../devices/pci0000:01/0000:01:00.0"));
        string dir = Path.Combine(p.SysfsRoot, "devices", "pci0000:01", bdf);
        Assert.That(File.ReadAllText(Path.Combine(dir, "vendor")), Is.EqualTo("0x8086\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "device")), Is.EqualTo("0x1572\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "subsystem_vendor")), Is.EqualTo("0x8086\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "subsystem_device")), Is.EqualTo("0x0000\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "class")), Is.EqualTo("0x020000\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "revision")), Is.EqualTo("0x02\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "numa_node")), Is.EqualTo("0\n"));
        var resource = File.ReadAllLines(Path.Combine(dir, "resource"));
        Assert.That(resource, Has.Length.EqualTo(13));
        Assert.That(resource[0], Is.EqualTo("0x0000380000000000 0x00003800007fffff 0x000000000014220c"));
        Assert.That(resource[1], Is.EqualTo("0x0000000000000000 0x0000000000000000 0x0000000000000000"));
        Assert.That(Link(Path.Combine(dir, "driver")), Is.EqualTo("../../../bus/pci/drivers/vfio-pci"));
        Assert.That(Directory.Exists(Path.Combine(dir, "driver")), Is.True, "driver link must resolve");
        Assert.That(Link(Path.Combine(p.SysfsRoot, "bus", "pci", "drivers", "vfio-pci", bdf)), Is.EqualTo("../../../../devices/pci0000:01/0000:01:00.0"));
        Assert.That(Link(Path.Combine(dir, "iommu_group")), Is.EqualTo("../../../kernel/iommu_groups/0"));
        Assert.That(Directory.Exists(Path.Combine(p.SysfsRoot, "kernel", "iommu_groups", "0", "devices", bdf)), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(dir, "vfio-dev", "vfio0", "dev")), Is.EqualTo("237:0\n"));
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "0")), Is.True);
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "devices", "vfio0")), Is.True);
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "iommu")), Is.True);

        string kernelBound = Path.Combine(p.SysfsRoot, "devices", "pci0000:01", "0000:01:00.2");
        Assert.That(Link(Path.Combine(kernelBound, "driver")), Is.EqualTo("../../../bus/pci/drivers/i40e"));
        Assert.That(Directory.Exists(Path.Combine(kernelBound, "vfio-dev")), Is.False);
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "2")), Is.False, "no group node for a function vfio-pci does not hold");

        Assert.That(Read(p, "module/vfio/parameters/enable_unsafe_noiommu_mode"), Is.EqualTo("N\n"));
        Assert.That(Directory.Exists(Path.Combine(p.SysfsRoot, "module", "vfio_pci")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(p.ProcRoot, "mounts")), Does.Contain($"hugetlbfs {Path.Combine(p.DevRoot, "hugepages")} hugetlbfs rw,relatime,pagesize=2M 0 0\n"));
    }

    [Test]
    public void CpuTopology_ReadsBackWhatWasWritten()
    {
        using var p = EmulatedPlatform.FromSpec("cpus=8,threads=2,numa=2");
        var topo = CpuTopology.Read(p.SysfsRoot);
        Assert.That(topo.Cpus.Select(c => (c.Id, c.CoreId, c.PackageId, c.NumaNode)), Is.EqualTo(new[]
        {
            (0, 0, 0, 0), (1, 0, 0, 0), (2, 1, 0, 0), (3, 1, 0, 0),
            (4, 0, 1, 1), (5, 0, 1, 1), (6, 1, 1, 1), (7, 1, 1, 1),
        }));
        Assert.That(Read(p, "devices/system/cpu/online"), Is.EqualTo("0-7\n"));
        Assert.That(Read(p, "devices/system/node/online"), Is.EqualTo("0-1\n"));
        Assert.That(Read(p, "devices/system/node/node1/cpulist"), Is.EqualTo("4-7\n"));
        Assert.That(Read(p, "devices/system/cpu/cpu5/topology/thread_siblings_list"), Is.EqualTo("4-5\n"));
        Assert.That(Link(Path.Combine(p.SysfsRoot, "devices/system/node/node1/cpu6")), Is.EqualTo("../../cpu/cpu6"));
        Assert.That(Link(Path.Combine(p.SysfsRoot, "devices/system/cpu/cpu6/node1")), Is.EqualTo("../../node/node1"));
    }

    [Test]
    public void ExplicitNodeCpuLists_AreKept()
    {
        var m = new MachineDescription
        {
            Cpus = 6,
            NumaNodes = [new() { Id = 0, Cpus = "0,2,4" }, new() { Id = 1, Cpus = "1,3,5" }],
        };
        using var p = new EmulatedPlatform(m);
        var topo = CpuTopology.Read(p.SysfsRoot);
        Assert.That(topo.Cpus.Select(c => c.NumaNode), Is.EqualTo(new[] { 0, 1, 0, 1, 0, 1 }));
        Assert.That(Read(p, "devices/system/node/node0/cpulist"), Is.EqualTo("0,2,4\n"));
    }

    [Test]
    public void Hugepages_PerNodeAndTotals()
    {
        using var p = EmulatedPlatform.FromSpec("cpus=4,numa=2,hugepages=2M:512,hugepages=1G:2");
        Assert.That(Read(p, "devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages"), Is.EqualTo("512\n"));
        Assert.That(Read(p, "devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages"), Is.EqualTo("512\n"));
        Assert.That(Read(p, "devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"), Is.EqualTo("2\n"));
        Assert.That(Read(p, "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"), Is.EqualTo("1024\n"));
        Assert.That(Read(p, "kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"), Is.EqualTo("4\n"));
        Assert.That(File.ReadAllText(Path.Combine(p.ProcRoot, "meminfo")), Does.Contain("HugePages_Total:   1024\n"));
    }

    [Test]
    public void ConfigSpace_HasIdsBarsAndCapabilityList()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=1,vfs=2");
        byte[] c = File.ReadAllBytes(Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0/config"));
        Assert.That(c, Has.Length.EqualTo(4096));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c), Is.EqualTo(0x8086));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(2)), Is.EqualTo(0x1572));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(4)), Is.EqualTo(0x0006), "kernel driver enabled memory + bus master");
        Assert.That(c[0x0B] << 16 | c[0x0A] << 8 | c[0x09], Is.EqualTo(0x020000));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(0x10)), Is.EqualTo(0x0000000Cu), "BAR0: 64-bit prefetchable");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(0x14)), Is.EqualTo(0x00003800u), "BAR0 high dword");

        var caps = new List<byte>();
        for (int ptr = c[0x34]; ptr != 0; ptr = c[ptr + 1]) caps.Add(c[ptr]);
        Assert.That(caps, Is.EqualTo(new byte[] { 0x01, 0x11, 0x10 }));
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(0x52)) & 0x7FF, Is.EqualTo(128), "129 MSI-X vectors");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(0x54)), Is.EqualTo(3u), "table at offset 0 of BAR3");
        uint ext = BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(0x100));
        Assert.That(ext & 0xFFFF, Is.EqualTo(0x0010u), "SR-IOV extended capability");
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(0x110)), Is.EqualTo(2), "NumVFs");
        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(c.AsSpan(0x11A)), Is.EqualTo(0x154c), "VF device id");
    }

    [Test]
    public void SriovLinks_PhysfnAndVirtfnResolve()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=0,kernel=1,vfs=2");
        string pf = Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0");
        Assert.That(File.ReadAllText(Path.Combine(pf, "sriov_numvfs")), Is.EqualTo("2\n"));
        Assert.That(File.ReadAllText(Path.Combine(pf, "sriov_totalvfs")), Is.EqualTo("64\n"));
        Assert.That(Link(Path.Combine(pf, "virtfn1")), Is.EqualTo("../../pci0000:01/0000:01:00.2"));
        Assert.That(File.ReadAllText(Path.Combine(pf, "virtfn1", "device")), Is.EqualTo("0x154c\n"));
        string vf = Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.1");
        Assert.That(File.ReadAllText(Path.Combine(vf, "physfn", "device")), Is.EqualTo("0x1572\n"));
    }

    [Test]
    public void NoIommuMode_GroupNodesAreNoiommu()
    {
        using var p = EmulatedPlatform.FromSpec("iommu=off,noiommu=on,vfio=1,kernel=0");
        Assert.That(Read(p, "module/vfio/parameters/enable_unsafe_noiommu_mode"), Is.EqualTo("Y\n"));
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "noiommu-0")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0/vfio-dev")), Is.False, "no cdev without an IOMMU");
    }

    [Test]
    public void NoIommu_NoGroups()
    {
        using var p = EmulatedPlatform.FromSpec("iommu=off");
        Assert.That(Directory.GetDirectories(Path.Combine(p.SysfsRoot, "kernel", "iommu_groups")), Is.Empty);
        Assert.That(Path.Exists(Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0/iommu_group")), Is.False);
    }

    [Test]
    public void Overrides_ReplaceOrOmitFiles()
    {
        var m = MachineSpec.Parse("vfio=1,kernel=0");
        m.PciFunctions[0].Overrides["vendor"] = null;
        m.PciFunctions[0].Overrides["class"] = "garbage\n";
        m.PciFunctions[0].Overrides["driver"] = "not a link\n";
        m.PciFunctions[0].Overrides["max_vfs"] = "7\n";
        using var p = new EmulatedPlatform(m);
        string dir = Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0");
        Assert.That(File.Exists(Path.Combine(dir, "vendor")), Is.False);
        Assert.That(File.ReadAllText(Path.Combine(dir, "class")), Is.EqualTo("garbage\n"));
        Assert.That(Link(Path.Combine(dir, "driver")), Is.Null);
        Assert.That(File.ReadAllText(Path.Combine(dir, "driver")), Is.EqualTo("not a link\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "max_vfs")), Is.EqualTo("7\n"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "device")), Is.EqualTo("0x1572\n"));
    }

    [Test]
    public void HotplugAddRemoveAndBind_UpdateTheTree()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        var f = new PciFunctionDescription { Address = "0000:05:00.0", VendorId = 0x1af4, DeviceId = 0x1041, ClassCode = 0x020000, Driver = "vfio-pci", IommuGroup = 9, VfioCdev = 4 };
        p.AddPciFunction(f);
        string link = Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:05:00.0");
        Assert.That(File.ReadAllText(Path.Combine(link, "vendor")), Is.EqualTo("0x1af4\n"));
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "9")), Is.True);

        p.BindDriver("0000:05:00.0", null);
        Assert.That(Path.Exists(Path.Combine(link, "driver")), Is.False);
        Assert.That(File.Exists(Path.Combine(p.DevRoot, "vfio", "9")), Is.False);
        Assert.That(Path.Exists(Path.Combine(p.SysfsRoot, "bus/pci/drivers/vfio-pci/0000:05:00.0")), Is.False);

        p.RemovePciFunction("05:00.0");
        Assert.That(Path.Exists(link), Is.False);
        Assert.That(Directory.Exists(Path.Combine(p.SysfsRoot, "kernel/iommu_groups/9")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(p.SysfsRoot, "devices/pci0000:05/0000:05:00.0")), Is.False);
        Assert.That(p.Machine.PciFunctions, Has.Count.EqualTo(1));
    }

    [Test]
    public void AddPciFunction_DuplicateAddress_FailsAndChangesNothing()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        var dup = new PciFunctionDescription { Address = "0000:01:00.0", VendorId = 0x1af4, DeviceId = 0x1000 };
        var ex = Assert.Throws<FormatException>(() => p.AddPciFunction(dup));
        Assert.That(ex!.Message, Does.Contain("PCI function 0000:01:00.0 is listed twice"));
        Assert.That(p.Machine.PciFunctions, Has.Count.EqualTo(1));
        Assert.That(File.ReadAllText(Path.Combine(p.SysfsRoot, "bus/pci/devices/0000:01:00.0/vendor")), Is.EqualTo("0x8086\n"));
    }

    [Test]
    public void RemovePciFunction_Unknown_NamesTheAddress()
    {
        using var p = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        var ex = Assert.Throws<ArgumentException>(() => p.RemovePciFunction("0000:09:00.0"));
        Assert.That(ex!.Message, Does.StartWith("the emulated machine has no PCI function '0000:09:00.0'; it has 1 functions"));
    }

    [Test]
    public void Dispose_DeletesTheTree()
    {
        var p = new EmulatedPlatform();
        string root = p.Root;
        Assert.That(Directory.Exists(root), Is.True);
        Assert.That(p.IsEmulated, Is.True);
        Assert.That(p.SysfsRoot, Is.EqualTo(Path.Combine(root, "sys")));
        p.Dispose();
        Assert.That(Directory.Exists(root), Is.False);
    }

    [Test]
    public void TwoPlatforms_HaveSeparateTrees()
    {
        using var a = EmulatedPlatform.FromSpec("vfio=1,kernel=0");
        using var b = EmulatedPlatform.FromSpec("vfio=3,kernel=0");
        Assert.That(a.Root, Is.Not.EqualTo(b.Root));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(a.SysfsRoot, "bus/pci/devices")), Has.Length.EqualTo(1));
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(b.SysfsRoot, "bus/pci/devices")), Has.Length.EqualTo(3));
    }

    [Test]
    public void TenThousandFunctions_AreAllWritten()
    {
        // Speed is measured by the PCI scan benchmark, not here: a timed unit test fails on a busy machine.
        using var p = EmulatedPlatform.FromSpec("vfio=10000,kernel=0");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(p.SysfsRoot, "bus/pci/devices")), Has.Length.EqualTo(10000));
    }
}

using Eal.Platform;
using NUnit.Framework;

namespace Eal.Tests.Options;

[TestFixture]
public class CpuTopologyTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("h1-sysfs-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private void Cpu(int id, int core, int? package = 0)
    {
        string topo = Path.Combine(_root, "devices/system/cpu", "cpu" + id, "topology");
        Directory.CreateDirectory(topo);
        File.WriteAllText(Path.Combine(topo, "core_id"), core + "\n");
        if (package is { } p)
            File.WriteAllText(Path.Combine(topo, "physical_package_id"), p + "\n");
    }

    private void NodeLink(int node, int cpu)
    {
        string dir = Path.Combine(_root, "devices/system/node", "node" + node);
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "cpu" + cpu), "../../cpu/cpu" + cpu);
    }

    [Test]
    public void Reads_CpusAndNodeLinks_SkippingOfflineAndNonCpuDirectories()
    {
        Cpu(0, 0); Cpu(1, 1); Cpu(2, 0, 1); Cpu(3, 1, 1);
        Directory.CreateDirectory(Path.Combine(_root, "devices/system/cpu/cpu4")); // offline: no topology
        Directory.CreateDirectory(Path.Combine(_root, "devices/system/cpu/cpufreq"));
        NodeLink(0, 0); NodeLink(0, 1); NodeLink(1, 2); NodeLink(1, 3);
        var t = CpuTopology.Read(_root);
        Assert.That(t.Cpus, Is.EqualTo(new[]
        {
            new CpuInfo(0, 0, 0, 0), new CpuInfo(1, 1, 0, 0), new CpuInfo(2, 0, 1, 1), new CpuInfo(3, 1, 1, 1),
        }));
        Assert.That(t.IsDetected(4), Is.False);
        Assert.That(t.NumaNodes, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(t.FormatCpuList(), Is.EqualTo("0-3"));
    }

    [Test]
    public void NodeCpulist_IsUnderstood_AndUnknownCpuIsNode0()
    {
        Cpu(0, 0, null); Cpu(1, 0, null); Cpu(2, 0, null);
        string node1 = Path.Combine(_root, "devices/system/node/node1");
        Directory.CreateDirectory(node1);
        File.WriteAllText(Path.Combine(node1, "cpulist"), "1-2\n");
        var t = CpuTopology.Read(_root);
        Assert.That(t.Cpus.Select(c => (c.Id, c.NumaNode, c.PackageId)), Is.EqualTo(new[] { (0, 0, -1), (1, 1, -1), (2, 1, -1) }));
    }

    [Test]
    public void LowestNodeWins_AndNodesAtOrAbove32AreIgnored()
    {
        Cpu(0, 0);
        NodeLink(33, 0);
        NodeLink(2, 0);
        NodeLink(5, 0);
        Assert.That(CpuTopology.Read(_root).GetNumaNode(0), Is.EqualTo(2));
    }

    [Test]
    public void MissingCpuDirectory_NamesIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => CpuTopology.Read(_root))!;
        Assert.That(e.Message, Does.Contain($"directory '{_root}/devices/system/cpu' does not exist"));
    }

    [Test]
    public void NoOnlineCpu_NamesTheExpectedFile()
    {
        Directory.CreateDirectory(Path.Combine(_root, "devices/system/cpu/cpu0"));
        var e = Assert.Throws<InvalidDataException>(() => CpuTopology.Read(_root))!;
        Assert.That(e.Message, Does.Contain("cpuN/topology/core_id' file exists"));
    }

    [Test]
    public void MalformedCoreId_NamesTheFile()
    {
        Cpu(0, 0);
        File.WriteAllText(Path.Combine(_root, "devices/system/cpu/cpu0/topology/core_id"), "zero\n");
        var e = Assert.Throws<InvalidDataException>(() => CpuTopology.Read(_root))!;
        Assert.That(e.Message, Is.EqualTo($"Malformed '{_root}/devices/system/cpu/cpu0/topology/core_id': expected a decimal integer, found 'zero'."));
    }

    [Test]
    public void MalformedCpulist_NamesTheFile()
    {
        Cpu(0, 0);
        string node0 = Path.Combine(_root, "devices/system/node/node0");
        Directory.CreateDirectory(node0);
        File.WriteAllText(Path.Combine(node0, "cpulist"), "3-1");
        var e = Assert.Throws<InvalidDataException>(() => CpuTopology.Read(_root))!;
        Assert.That(e.Message, Is.EqualTo($"Malformed CPU list '3-1' in '{node0}/cpulist': '3-1' is not 'N' or 'N-M' with N <= M."));
    }

    [Test]
    public void RealSysfs_HasTheOnlineCpus()
    {
        if (!File.Exists("/sys/devices/system/cpu/online"))
            Assert.Ignore("no /sys on this machine");
        var t = CpuTopology.Read("/sys");
        var online = CpuTopology.ParseCpuList(File.ReadAllText("/sys/devices/system/cpu/online"), "online");
        Assert.That(t.Cpus.Select(c => c.Id), Is.EqualTo(online));
    }

    [Test]
    public void Create_RejectsDuplicates() =>
        Assert.That(() => CpuTopology.Create([new CpuInfo(1, 0, 0, 0), new CpuInfo(1, 0, 0, 0)]),
            Throws.ArgumentException.With.Message.StartsWith("CPU 1 is listed twice"));
}

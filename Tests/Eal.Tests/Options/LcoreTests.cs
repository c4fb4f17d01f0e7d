using Eal.Options;
using Eal.Platform;
using NUnit.Framework;
using static Eal.Tests.Options.EalTestHelpers;

namespace Eal.Tests.Options;

[TestFixture]
public class LcoreTests
{
    private static string Layout(EalSettings s) =>
        string.Join(" ", s.Lcores.Select(l => $"{l.LcoreId}:{string.Join(',', l.Cpus)}"));

    [TestCase("0-3", "0:0 1:1 2:2 3:3")]
    [TestCase("3-1", "1:1 2:2 3:3")]
    [TestCase("0, 2,4-5", "0:0 2:2 4:4 5:5")]
    [TestCase("7", "7:7")]
    public void PlainList(string list, string layout)
    {
        var s = Resolve("-l", list);
        Assert.That(Layout(s), Is.EqualTo(layout));
        Assert.That(s.LcoreSource, Is.EqualTo(LcoreSource.CoreList));
    }

    [TestCase("1,", "expected a number at position 3 but found the end of the value")]
    [TestCase("1-", "expected a number at position 3 but found the end of the value")]
    [TestCase("-5", "expected a number at position 1 but found '-'")]
    [TestCase("1#2", "unexpected '#' at position 2")]
    [TestCase("1-2-3", "'-' at position 4 continues a range")]
    [TestCase("65536", "number '65536' is out of range (at most 65535)")]
    public void PlainList_SyntaxErrors(string list, string fragment)
    {
        Assert.That(Fails("-l", list).Message, Does.StartWith($"-l/--lcores: invalid core list '{list}': {fragment}"));
    }

    [Test]
    public void PlainList_Empty() =>
        Assert.That(Fails("-l", " ").Message, Does.StartWith("-l/--lcores: empty core list"));

    [Test]
    public void PlainList_MissingCpu_NamesAvailableCpus() =>
        Assert.That(Fails("-l", "0,16").Message, Is.EqualTo(
            "-l/--lcores: lcore 16 unavailable: CPU 16 does not exist on this machine; please check specified cores are part of 0-15"));

    [Test]
    public void PlainList_CpuAboveMaxLcore_NeedsRemap()
    {
        var big = CpuTopology.Create(Enumerable.Range(0, 200).Select(i => new CpuInfo(i, i, 0, i < 100 ? 0 : 1)));
        var e = Assert.Throws<EalArgumentException>(() => ResolveOn(big, "-l", "130"))!;
        Assert.That(e.Message, Does.Contain("lcore 130 >= RTE_MAX_LCORE (128), cannot use; to use high CPU ids, remap them with -R or map them explicitly, e.g. '-l 0@130'"));
        var s = ResolveOn(big, "-l", "130-131", "-R");
        Assert.That(Layout(s), Is.EqualTo("0:130 1:131"));
        Assert.That(s.Lcores[0].NumaNode, Is.EqualTo(1));
    }

    [Test]
    public void Remap_WithBase()
    {
        Assert.That(Layout(Resolve("-l", "4-6", "--remap-lcore-ids=10")), Is.EqualTo("10:4 11:5 12:6"));
        Assert.That(Fails("-l", "0-15", "-R=120").Message, Does.Contain("lcore 128 >= RTE_MAX_LCORE (128) after remapping from base 120"));
    }

    [Test]
    public void Default_IsAllCpus_TruncatedAt128WithWarning()
    {
        var big = CpuTopology.Create(Enumerable.Range(0, 130).Select(i => new CpuInfo(i, i, 0, 0)));
        var s = ResolveOn(big);
        Assert.That(s.Lcores.Count, Is.EqualTo(128));
        Assert.That(s.Warnings, Does.Contain("Too many lcores provided (>=RTE_MAX_LCORE[128]). All remaining lcores will be skipped."));
    }

    // ---- the mapping syntax (eal_parse_lcores), examples from DPDK's comment and §1.3 ----
    [Test]
    public void Map_DpdkCommentExample()
    {
        var s = Resolve("--lcores", "1,2@(5-7),(3-5)@(0,2),(0,6),7-8");
        Assert.That(Layout(s), Is.EqualTo("0:0,6 1:1 2:5,6,7 3:0,2 4:0,2 5:0,2 6:0,6 7:7 8:8"));
        Assert.That(s.LcoreSource, Is.EqualTo(LcoreSource.LcoreMap));
        Assert.That(s.Lcores.Single(l => l.LcoreId == 8).NumaNode, Is.EqualTo(1));
        Assert.That(s.Lcores.Single(l => l.LcoreId == 2).NumaNode, Is.EqualTo(0));
    }

    [Test]
    public void Map_GroupToOneCpu()
    {
        Assert.That(Layout(Resolve("-l", "(0-3)@1,4@(2,3)")), Is.EqualTo("0:1 1:1 2:1 3:1 4:2,3"));
    }

    [Test]
    public void Map_NumaOfFirstCpu()
    {
        var s = Resolve("-l", "0@(9,3)");
        Assert.That(s.Lcores.Single().Cpus, Is.EqualTo(new[] { 3, 9 }));
        Assert.That(s.Lcores.Single().NumaNode, Is.EqualTo(0));
        Assert.That(Resolve("-l", "0@8").Lcores.Single().NumaNode, Is.EqualTo(1));
    }

    [TestCase("2@5-7", "2:5,6,7")]
    [TestCase("( 1 , 2 )@ 3", "1:3 2:3")]
    [TestCase("1@2,1@3", "1:3")]
    [TestCase("100@0", "100:0")]
    public void Map_MoreForms(string map, string layout) =>
        Assert.That(Layout(Resolve("-l", map)), Is.EqualTo(layout));

    [TestCase("(2-4)@(2-4-6)", "'-' at position 11 continues a range that already ended inside a group")]
    [TestCase("(1,a)@2", "expected a number at position 4 but found 'a'")]
    [TestCase("(1,2@3", "unexpected '@' at position 5 inside a group")]
    [TestCase("(1,2", "group is missing its closing ')'")]
    [TestCase("1@", "expected a number at position 3 but found the end of the value")]
    [TestCase("1@()", "expected a number at position 4 but found ')'")]
    [TestCase("1=2@3", "unexpected '=' at position 2")]
    [TestCase("[1]@2", "expected a number at position 1 but found '['")]
    [TestCase("0-3@1", "'0-3@' maps a range of lcores without parentheses; write '(0-3)@...'")]
    [TestCase("1@2,", "empty element at position 5")]
    [TestCase("1@1024", "number '1024' is out of range (at most 1023)")]
    public void Map_SyntaxErrors(string map, string fragment)
    {
        Assert.That(Fails("-l", map).Message, Does.StartWith($"-l/--lcores: invalid lcore map '{map}': {fragment}"));
    }

    [Test]
    public void Map_LcoreIdTooHigh() =>
        Assert.That(Fails("-l", "128@0").Message, Is.EqualTo(
            "-l/--lcores: lcore id 128 is not below RTE_MAX_LCORE (128); use a lower lcore id and map it with '@', e.g. '0@128'"));

    [Test]
    public void Map_MissingCpu() =>
        Assert.That(Fails("-l", "1@(2,20)").Message, Is.EqualTo(
            "-l/--lcores: lcore 1 is mapped to CPU 20, which does not exist; available CPUs: 0-15"));

    // ---- coremask ----
    [TestCase("0xf", "0:0 1:1 2:2 3:3")]
    [TestCase(" 0X11 ", "0:0 4:4")]
    [TestCase("a", "1:1 3:3")]
    [TestCase("00F0", "4:4 5:5 6:6 7:7")]
    public void Coremask_Valid(string mask, string layout)
    {
        var s = Resolve("-c", mask);
        Assert.That(Layout(s), Is.EqualTo(layout));
        Assert.That(s.LcoreSource, Is.EqualTo(LcoreSource.CoreMask));
        Assert.That(s.Warnings.Single(), Does.StartWith("'-c <coremask>' option is deprecated"));
    }

    [TestCase("0x", "-c/--coremask: no lcores in coremask; expected a hexadecimal mask such as '0xf'")]
    [TestCase("0", "-c/--coremask: no lcores in coremask; set at least one bit, e.g. '0x1'")]
    [TestCase("0xg", "-c/--coremask: invalid character 'g' in coremask")]
    [TestCase("0x1 1", "-c/--coremask: invalid character ' ' in coremask")]
    [TestCase("0x10000", "-c/--coremask: lcore 16 unavailable: CPU 16 does not exist on this machine")]
    public void Coremask_Invalid(string mask, string expected) =>
        Assert.That(Fails("-c", mask).Message, Does.StartWith(expected));

    [Test]
    public void Coremask_BitAtOrAboveCpuSetSize() =>
        Assert.That(Fails("-c", "0x1" + new string('0', 256)).Message, Does.Contain("CPU 1024 is not below CPU_SETSIZE (1024)"));

    [Test]
    public void Coremask_MoreThan128Bits() =>
        Assert.That(Fails("-c", new string('f', 33)).Message, Does.Contain("too many lcores in coremask; at most RTE_MAX_LCORE (128) may be set"));

    // ---- main and service lcores ----
    [Test]
    public void MainLcore_DefaultIsLowest_AndMayBeChosen()
    {
        Assert.That(Resolve("-l", "5,3,9").MainLcore, Is.EqualTo(3));
        Assert.That(Resolve("-l", "3-9", "--main-lcore", "0x5").MainLcore, Is.EqualTo(5));
        Assert.That(Resolve("-l", "3-9", "--main-lcore", "010").MainLcore, Is.EqualTo(8));
    }

    [Test]
    public void MainLcore_MustBeEnabled_AndNotAService()
    {
        Assert.That(Fails("-l", "1-3", "--main-lcore", "0").Message, Is.EqualTo(
            "--main-lcore: Main lcore is not enabled for DPDK; choose one of the lcores 1-3 or add 0 to -l"));
        Assert.That(Fails("-l", "1-3", "-S", "2", "--main-lcore", "2").Message, Is.EqualTo(
            "--main-lcore: Main lcore is used as a service core; choose a main lcore that is not in -S/-s (2)"));
    }

    [Test]
    public void ServiceCorelist()
    {
        var s = Resolve("-l", "0-7", "-S", " 1 , 3-4");
        Assert.That(s.ServiceLcores, Is.EqualTo(new[] { 1, 3, 4 }));
        Assert.That(s.Warnings, Is.Empty);
        Assert.That(Resolve("-l", "0-1", "-S", "5").Warnings.Single(), Does.StartWith("Not all service cores are in the core list"));
    }

    [TestCase("", "-S/--service-corelist: empty service core list")]
    [TestCase("1,", "-S/--service-corelist: invalid service core list '1,': expected a number at position 3")]
    [TestCase("3-1", "-S/--service-corelist: invalid service core list '3-1': range 3-1 is reversed; write 1-3")]
    [TestCase("128", "-S/--service-corelist: service lcore 128 is not below RTE_MAX_LCORE (128)")]
    [TestCase("1;2", "-S/--service-corelist: invalid service core list '1;2': unexpected ';' at position 2")]
    public void ServiceCorelist_Invalid(string list, string expected) =>
        Assert.That(Fails("-S", list).Message, Does.StartWith(expected));

    [Test]
    public void ServiceCoremask()
    {
        var s = Resolve("-l", "0-3", "-s", "0x6");
        Assert.That(s.ServiceLcores, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(s.Warnings.Single(), Does.StartWith("'-s <service-coremask>' is deprecated"));
        Assert.That(Fails("-s", "0x10000").Message, Does.StartWith("-s/--service-coremask: service lcore 16 is unavailable: no such CPU; available CPUs: 0-15"));
        Assert.That(Fails("-s", "0").Message, Does.StartWith("-s/--service-coremask: no lcores in service coremask"));
        Assert.That(Fails("-s", "z").Message, Does.StartWith("-s/--service-coremask: invalid character 'z'"));
    }
}

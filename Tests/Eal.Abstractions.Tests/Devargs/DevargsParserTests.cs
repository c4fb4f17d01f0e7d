using Eal.Bus;
using Eal.Devargs;
using Eal.Devargs.Reference;
using Moq;
using NUnit.Framework;

namespace Eal.Abstractions.Tests.Devargs;

[TestFixture]
public class DevargsParserTests
{
    private DevargsParser _parser = null!;

    [SetUp]
    public void SetUp() => _parser = ReferenceBuses.CreateParser();

    // test_devargs.c test_valid_devargs: bus/class/driver layer pair counts, bus, name, class.
    [TestCase("bus=pci", 1, 0, 0, "pci", "", null)]
    [TestCase("class=eth", 0, 1, 0, null, "", "eth")]
    [TestCase("bus=pci,addr=1:2.3/class=eth/driver=abc,k0=v0", 2, 1, 2, "pci", "0000:01:02.3", "eth")]
    [TestCase("bus=vdev,name=/dev/file/name/class=eth", 2, 1, 0, "vdev", "/dev/file/name", "eth")]
    [TestCase("bus=vdev,name=/class/bus/path/class=eth", 2, 1, 0, "vdev", "/class/bus/path", "eth")]
    [TestCase("bus=vdev,name=///dblslsh/class=eth", 2, 1, 0, "vdev", "///dblslsh", "eth")]
    [TestCase("1:2.3", 0, 0, 0, "pci", "1:2.3", null)]
    [TestCase("pci:1:2.3,k0=v0", 0, 0, 1, "pci", "1:2.3", null)]
    [TestCase("net_ring0", 0, 0, 0, "vdev", "net_ring0", null)]
    [TestCase("net_ring0,iface=test,path=/class/bus/,queues=1", 0, 0, 3, "vdev", "net_ring0", null)]
    public void Parse_DpdkValidVectors(string text, int busKv, int classKv, int driverKv, string? bus, string name, string? cls)
    {
        var da = _parser.Parse(text);
        Assert.That(da.Bus, Is.EqualTo(bus));
        Assert.That(da.Name, Is.EqualTo(name));
        Assert.That(da.Class, Is.EqualTo(cls));
        Assert.That(CountPairs(da.BusLayer), Is.EqualTo(busKv));
        Assert.That(CountPairs(da.ClassLayer), Is.EqualTo(classKv));
        Assert.That(CountPairs(da.Args), Is.EqualTo(driverKv));
    }

    private static int CountPairs(string? layer) => layer is null ? 0 : KvArgs.Parse(layer).Count();

    [TestCase("bus=wrong-bus", "could not find bus \"wrong-bus\" (layer at offset 0); registered buses: pci, vdev")]
    [TestCase("class=wrong-class", "could not find class \"wrong-class\" (layer at offset 0); registered classes: eth")]
    [TestCase("bus=pci/class=wrong", "could not find class \"wrong\" (layer at offset 8)")]
    public void Parse_DpdkInvalidVectors(string text, string fragment)
    {
        var ex = Assert.Throws<DevargsException>(() => _parser.Parse(text));
        Assert.That(ex!.Message, Does.StartWith($"devargs \"{text}\": "));
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void Parse_LayeredFullRecord()
    {
        var da = _parser.Parse("bus=pci,addr=1:2.3/class=eth/driver=abc,k0=v0");
        Assert.That(da, Is.EqualTo(new DeviceArguments
        {
            Text = "bus=pci,addr=1:2.3/class=eth/driver=abc,k0=v0",
            Bus = "pci",
            Class = "eth",
            Name = "0000:01:02.3",
            Args = "driver=abc,k0=v0",
            BusLayer = "bus=pci,addr=1:2.3",
            ClassLayer = "class=eth",
            DriverLayer = "driver=abc,k0=v0",
        }));
        Assert.That(da.IsLayered, Is.True);
        Assert.That(da.DriverKvArgs.Get("k0"), Is.EqualTo("v0"));
    }

    [Test]
    public void Parse_LegacyFullRecord()
    {
        var da = _parser.Parse("net_null0,size=64,copy=1");
        Assert.That(da, Is.EqualTo(new DeviceArguments { Text = "net_null0,size=64,copy=1", Bus = "vdev", Name = "net_null0", Args = "size=64,copy=1" }));
        Assert.That(da.IsLayered, Is.False);
        Assert.That(da.DriverKvArgs.Pairs, Is.EqualTo(new[] { new KvPair("size", "64"), new KvPair("copy", "1") }));
    }

    // Layered strings: args is the driver layer (null without one); layers in any order; last layer of a kind wins.
    [TestCase("bus=pci,addr=0000:01:00.0", "pci", "0000:01:00.0", null, null)]
    [TestCase("bus=pci,addr", "pci", "", null, null)]
    [TestCase("bus=pci,addr=1:2.3,addr=4:5.6", "pci", "0000:01:02.3", null, null)]
    [TestCase("bus=vdev", "vdev", "", null, null)]
    [TestCase("bus=vdev,name=", "vdev", "", null, null)]
    [TestCase("bus=vdev,name=a=b", "vdev", "", null, null)]
    [TestCase("bus=vdev,name=[a,b]", "vdev", "[a,b]", null, null)]
    [TestCase("bus=vdev,name=net_null0,driver=x", "vdev", "net_null0", null, null)]
    [TestCase("bus=vdev,name=net_null0/driver=net_null,size=64", "vdev", "net_null0", "driver=net_null,size=64", null)]
    [TestCase("class=eth/bus=pci,addr=2:3.4", "pci", "0000:02:03.4", null, "eth")]
    [TestCase("driver=net_null/bus=vdev,name=x", "vdev", "x", "driver=net_null", null)]
    [TestCase("driver=abc/class=eth", null, "", "driver=abc", "eth")]
    [TestCase("bus=pci/bus=vdev", "vdev", "", null, null)]
    [TestCase("bus=vdev,name=a/bus=pci,addr=1:2.3", "pci", "0000:01:02.3", null, null)]
    [TestCase("bus=vdev,name=net_null0/driver=x/driver=y", "vdev", "net_null0", "driver=y", null)]
    [TestCase(",bus=vdev,name=x", "vdev", "x", null, null)]
    [TestCase("net_null0/class=eth", null, "", null, "eth")]
    [TestCase("net_null0/bus=vdev", "vdev", "", null, null)]
    public void Parse_LayeredEdgeCases(string text, string? bus, string name, string? args, string? cls)
    {
        var da = _parser.Parse(text);
        Assert.That((da.Bus, da.Name, da.Args, da.Class), Is.EqualTo((bus, name, args, cls)));
    }

    // Legacy strings: name as typed up to the first comma, args after it.
    [TestCase("0000:01:00.0,rxq=4", "pci", "0000:01:00.0", "rxq=4")]
    [TestCase("pci:01:00.0,k=v", "pci", "01:00.0", "k=v")]
    [TestCase("10000:00:00.0", "pci", "10000:00:00.0", "")]
    [TestCase("vdev:net_null0,a=b", "vdev", "net_null0", "a=b")]
    [TestCase("vdev/net_null0", "vdev", "net_null0", "")]           // DPDK skips the separator unchecked
    [TestCase("eth_ring_x,nodeaction=r1:0:CREATE", "vdev", "eth_ring_x", "nodeaction=r1:0:CREATE")]
    [TestCase("net_null0,", "vdev", "net_null0", "")]
    [TestCase("net_null0,,,", "vdev", "net_null0", ",,")]
    [TestCase("net_null0,bus=pci", "vdev", "net_null0", "bus=pci")]
    [TestCase("net_null0/class=nope", "vdev", "net_null0/class=nope", "")]   // bad layered, good legacy
    [TestCase("net_ring0/class=eth/class=eth/class=eth", "vdev", "net_ring0/class=eth/class=eth/class=eth", "")]
    public void Parse_LegacyEdgeCases(string text, string bus, string name, string args)
    {
        var da = _parser.Parse(text);
        Assert.That((da.Bus, da.Name, da.Args, da.Class), Is.EqualTo(((string?)bus, name, (string?)args, (string?)null)));
    }

    [TestCase("net_pcap0", "failed to parse device \"net_pcap0\": no bus recognises it (registered buses: pci, vdev)")]
    [TestCase(",net_null0", "failed to parse device \"\"")]
    [TestCase("pci:net_null0", "failed to parse device \"pci:net_null0\"")]
    [TestCase("NET_NULL0", "failed to parse device \"NET_NULL0\"")]
    [TestCase("driver=abc", "failed to parse device \"driver=abc\"")]
    [TestCase("bus=PCI", "could not find bus \"PCI\"")]
    [TestCase("bus=pci/", "could not find bus \"pci/\"")]
    [TestCase("bus=pci,addr=zz", "bus 'pci' rejects its layer \"bus=pci,addr=zz\": addr=zz: invalid PCI address \"zz\"")]
    [TestCase("bus=pci,addr=", "invalid PCI address \"\"")]
    [TestCase("bus=vdev,name=[a/class=eth]", "could not find class \"eth]\" (layer at offset 17)")]
    [TestCase("bus=pci/class=eth/driver=x/driver=y", "a 4th layer starts at offset 27; at most 3 layers")]
    public void Parse_Errors(string text, string fragment)
    {
        Assert.That(_parser.TryParse(text, out var da, out var error), Is.False);
        Assert.That(da, Is.Null);
        Assert.That(error, Does.Contain(fragment));
    }

    [Test]
    public void Parse_LegacyNameMustBeShorterThan64()
    {
        string ok = "net_null" + new string('x', 55);
        Assert.That(_parser.Parse(ok + ",a=1").Name, Is.EqualTo(ok));
        string tooLong = ok + "x";
        var ex = Assert.Throws<DevargsException>(() => _parser.Parse(tooLong + ",a=1"));
        Assert.That(ex!.Message, Does.Contain("the device name starting at offset 0 is 64 characters; it must be shorter than 64"));
    }

    [Test]
    public void Parse_LayeredNameMustBeShorterThan64()
    {
        Assert.That(_parser.Parse("bus=vdev,name=" + new string('v', 63)).Name, Has.Length.EqualTo(63));
        var ex = Assert.Throws<DevargsException>(() => _parser.Parse("bus=vdev,name=" + new string('v', 64)));
        Assert.That(ex!.Message, Does.Contain("device name '" + new string('v', 64) + "' is 64 characters; at most 63 are allowed"));
    }

    [Test]
    public void Parse_LayerWithMoreThan32PairsIsAnError_LegacyArgsAreNotTokenised()
    {
        string pairs = string.Join(",", Enumerable.Range(0, 33).Select(i => $"k{i}={i}"));
        var ex = Assert.Throws<DevargsException>(() => _parser.Parse("bus=vdev," + pairs));
        Assert.That(ex!.Message, Does.Contain("layer at offset 0: kvargs"));
        Assert.That(ex.Message, Does.Contain("more than 32 key=value pairs"));
        Assert.That(_parser.Parse("net_null0," + pairs).Args, Is.EqualTo(pairs));
    }

    [Test]
    public void Parse_BlockPolicy()
    {
        var da = _parser.Parse("0000:01:00.0", DevargsPolicy.Block);
        Assert.That((da.Policy, da.Type), Is.EqualTo((DevargsPolicy.Block, DevargsType.Blocked)));
    }

    [Test]
    public void ParseVdev_DoesNotForceTheVdevBus()
    {
        var vdev = _parser.ParseVdev("net_null0,size=64");
        Assert.That((vdev.Bus, vdev.Name, vdev.Args, vdev.Type, vdev.Policy),
            Is.EqualTo(("vdev", "net_null0", "size=64", DevargsType.Virtual, DevargsPolicy.Allow)));
        var pci = _parser.ParseVdev("0000:01:00.0");
        Assert.That((pci.Bus, pci.Type), Is.EqualTo(("pci", DevargsType.Virtual)));
    }

    [Test]
    public void ParseOption_RejectsStringWithoutBus()
    {
        var ex = Assert.Throws<DevargsException>(() => _parser.ParseOption("class=eth,mac=00:11:22:33:44:55", DevargsType.Allowed));
        Assert.That(ex!.Message, Is.EqualTo(
            "devargs \"class=eth,mac=00:11:22:33:44:55\": names class 'eth' but no bus; a device option needs a device on a bus, " +
            "e.g. \"bus=<pci|vdev>,.../class=eth,mac=00:11:22:33:44:55\" or a plain device name"));
        var blocked = _parser.ParseOption("bus=pci,addr=1:0.0", DevargsType.Blocked);
        Assert.That((blocked.Bus, blocked.Name, blocked.Policy), Is.EqualTo(("pci", "0000:01:00.0", DevargsPolicy.Block)));
    }

    [Test]
    public void BareName_GoesToFirstBusThatAcceptsIt_TruncatedAt63AndComma()
    {
        var first = new Mock<Eal.Bus.Bus>();
        first.SetupGet(b => b.Name).Returns("alpha");
        string normalized;
        first.Setup(b => b.TryParseDeviceName(It.IsAny<string>(), out normalized)).Returns(false);
        var second = new Mock<Eal.Bus.Bus>();
        second.SetupGet(b => b.Name).Returns("beta");
        second.Setup(b => b.TryParseDeviceName(It.IsAny<string>(), out normalized)).Returns(true);
        var third = new Mock<Eal.Bus.Bus>();
        third.SetupGet(b => b.Name).Returns("gamma");
        third.Setup(b => b.TryParseDeviceName(It.IsAny<string>(), out normalized)).Returns(true);
        var parser = new DevargsParser([first.Object, second.Object, third.Object], []);

        var da = parser.Parse("dev0,x=1");
        Assert.That((da.Bus, da.Name, da.Args), Is.EqualTo(("beta", "dev0", "x=1")));
        third.Verify(b => b.TryParseDeviceName(It.IsAny<string>(), out normalized), Times.Never);

        string seventy = new string('d', 70);
        Assert.That(parser.FindBusByDeviceName(seventy + ",k=v")?.Name, Is.EqualTo("beta"));
        first.Verify(b => b.TryParseDeviceName(new string('d', 63), out normalized), Times.Once);
    }

    [Test]
    public void BusPrefix_WinsOnlyWhenThatBusIsTheFirstToAcceptTheRest()
    {
        // "vdev:0000:01:00.0": the rest is a PCI name, so the vdev prefix does not apply and the whole string is
        // a name no bus knows.
        var ex = Assert.Throws<DevargsException>(() => _parser.Parse("vdev:0000:01:00.0"));
        Assert.That(ex!.Message, Does.Contain("failed to parse device \"vdev:0000:01:00.0\""));
    }

    [Test]
    public void Constructor_RejectsNulls()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new DevargsParser(null!, []));
        Assert.Throws<ArgumentNullException>(() => _ = new DevargsParser([], null!));
    }
}

using TestPmd;

namespace Eal.Integration.Tests.TestPmd;

[TestFixture]
public sealed class TestPmdOptionsTests
{
    [Test]
    public void Defaults_are_testpmds()
    {
        var o = TestPmdOptions.Parse([]);
        Assert.That((o.Mode, o.NbCores, o.RxQueues, o.TxQueues, o.Burst, o.TotalNumMbufs, o.MbufCache, o.StatsPeriod, o.Duration, o.AutoStart, o.Interactive, o.TxFirst),
            Is.EqualTo((ForwardMode.Io, (int?)null, 1, 1, 32, (int?)null, 250, 0, (double?)null, false, false, false)));
    }

    [Test]
    public void Every_option_in_both_spellings()
    {
        var a = TestPmdOptions.Parse(["--forward-mode=macswap", "--nb-cores=2", "--rxq=4", "--txq=2", "--burst=8", "--total-num-mbufs=16384",
            "--mbcache=0", "--rxd=256", "--txd=1024", "--stats-period=1", "--duration=0.5", "--auto-start", "-i", "--tx-first"]);
        var b = TestPmdOptions.Parse(["--forward-mode", "macswap", "--nb-cores", "2", "--rxq", "4", "--txq", "2", "--burst", "8", "--total-num-mbufs", "16384",
            "--mbcache", "0", "--rxd", "256", "--txd", "1024", "--stats-period", "1", "--duration", "0.5", "-a", "--interactive", "--tx-first"]);
        Assert.That(b, Is.EqualTo(a));
        Assert.That((a.Mode, a.NbCores, a.RxQueues, a.TxQueues, a.Burst, a.TotalNumMbufs, a.MbufCache, a.RxDescriptors, a.TxDescriptors, a.StatsPeriod, a.Duration, a.AutoStart, a.Interactive, a.TxFirst),
            Is.EqualTo((ForwardMode.MacSwap, (int?)2, 4, 2, 8, (int?)16384, 0, 256, 1024, 1, (double?)0.5, true, true, true)));
    }

    [TestCase("io", "Io")]
    [TestCase("mac", "Mac")]
    [TestCase("macswap", "MacSwap")]
    [TestCase("rxonly", "RxOnly")]
    [TestCase("txonly", "TxOnly")]
    public void Forward_modes(string name, string enumName)
    {
        var mode = Enum.Parse<ForwardMode>(enumName);
        Assert.That(TestPmdOptions.Parse([$"--forward-mode={name}"]).Mode, Is.EqualTo(mode));
        Assert.That(TestPmdOptions.ModeName(mode), Is.EqualTo(name));
    }

    [TestCase("--forward-mode=flowgen", "--forward-mode=flowgen: unknown forwarding mode; valid modes are io, mac, macswap, rxonly, txonly")]
    [TestCase("--burst=0", "--burst=0: invalid value; expected a burst size from 1 to 512")]
    [TestCase("--burst=513", "--burst=513: invalid value; expected a burst size from 1 to 512")]
    [TestCase("--burst=3x", "--burst=3x: invalid value; expected a burst size from 1 to 512")]
    [TestCase("--nb-cores=0", "--nb-cores=0: invalid value; expected a number of forwarding lcores from 1 to the number of worker lcores")]
    [TestCase("--rxq=0", "--rxq=0: invalid value; expected a queue count from 1 to 1024")]
    [TestCase("--txq=1025", "--txq=1025: invalid value; expected a queue count from 1 to 1024")]
    [TestCase("--total-num-mbufs=1024", "--total-num-mbufs=1024: invalid value; expected more than 1024 mbufs")]
    [TestCase("--mbcache=513", "--mbcache=513: invalid value; expected a cache size from 0 to 512")]
    [TestCase("--stats-period=-1", "--stats-period=-1: invalid value; expected a period in whole seconds from 1 to 3600")]
    [TestCase("--duration=0", "--duration=0: invalid duration; expected seconds greater than 0, e.g. --duration=10 or --duration=0.5")]
    [TestCase("--duration=abc", "--duration=abc: invalid duration; expected seconds greater than 0, e.g. --duration=10 or --duration=0.5")]
    [TestCase("--auto-start=1", "--auto-start=1: --auto-start takes no value")]
    [TestCase("--bogus", "--bogus: unknown testpmd argument; see -- --help for the supported ones")]
    [TestCase("--burst", "--burst: missing value; write --burst=<value>")]
    public void Bad_values_are_refused_naming_the_option_and_what_is_valid(string arg, string message)
    {
        var ex = Assert.Throws<TestPmdArgumentException>(() => TestPmdOptions.Parse([arg]));
        Assert.That(ex!.Message, Is.EqualTo(message));
    }
}

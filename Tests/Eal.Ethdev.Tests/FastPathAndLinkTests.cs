using Eal.Memory.Mbufs;
using Eal.Net.Null;

namespace Eal.Ethdev.Tests;

[TestFixture]
public sealed unsafe class FastPathAndLinkTests
{
    private Fixture _f = null!;

    [SetUp]
    public void SetUp() => _f = new Fixture();

    [TearDown]
    public void TearDown() => _f.Dispose();

    [Test]
    public void A_stopped_port_receives_and_sends_nothing_through_the_table()
    {
        var pool = _f.Pool();
        var port = _f.StartedNull("p", pool);
        var fp = _f.Registry.FastPath;
        Mbuf** pkts = stackalloc Mbuf*[8];
        Assert.That(fp.RxBurst(port.PortId, 0, pkts, 8), Is.EqualTo(8));
        Assert.That(fp.TxBurst(port.PortId, 0, pkts, 8), Is.EqualTo(8));
        port.Stop();
#if !DEBUG
        Assert.That(fp.RxBurst(port.PortId, 0, pkts, 8), Is.Zero);
        Assert.That(fp.TxBurst(port.PortId, 0, pkts, 8), Is.Zero);
#endif
        port.Start();
        Assert.That(fp.RxBurst(port.PortId, 0, pkts, 8), Is.EqualTo(8));
        Assert.That(fp.TxPrepare(port.PortId, 0, pkts, 8), Is.EqualTo(8), "no prepare function: every packet is valid");
        Assert.That(_f.Registry.TxBurst(port.PortId, 0, pkts, 8), Is.EqualTo(8));
        Assert.That(pool.InUseCount, Is.Zero);
    }

#if DEBUG
    [Test]
    public void Debug_build_catches_misuse_of_the_fast_path()
    {
        var pool = _f.Pool();
        var port = _f.StartedNull("p", pool, queues: 2);
        var fp = _f.Registry.FastPath;
        Assert.That(Assert.Throws<EthdevException>(() => CallRx(fp, port.PortId, 2))!.Message,
            Is.EqualTo("RxBurst: port 0 has no Rx queue 2; it has 2 (0..1)"));
        Assert.That(Assert.Throws<EthdevException>(() => CallTx(fp, port.PortId, 7))!.Message,
            Is.EqualTo("TxBurst: port 0 has no Tx queue 7; it has 2 (0..1)"));
        Assert.That(Assert.Throws<EthdevException>(() => CallRx(fp, 3, 0))!.Message,
            Is.EqualTo("RxBurst: port 3 does not exist; valid ports are listed by EthdevRegistry.Ports"));
        port.Stop();
        Assert.That(Assert.Throws<EthdevException>(() => CallRx(fp, port.PortId, 0))!.Message,
            Is.EqualTo("RxBurst: port 0 is not started; call EthPort.Start() first"));
        Assert.That(Assert.Throws<EthdevException>(() => CallRx(default, 0, 0))!.Message,
            Does.StartWith("RxBurst: the fast-path handle is default"));
    }

    private static ushort CallRx(EthFastPath fp, ushort port, ushort queue)
    {
        Mbuf** pkts = stackalloc Mbuf*[1];
        return fp.RxBurst(port, queue, pkts, 1);
    }

    private static ushort CallTx(EthFastPath fp, ushort port, ushort queue)
    {
        Mbuf** pkts = stackalloc Mbuf*[1];
        return fp.TxBurst(port, queue, pkts, 0);
    }
#endif

    [Test]
    public void Bursts_allocate_nothing_on_the_managed_heap()
    {
        var pool = _f.Pool(count: 2047, cache: 256);
        var a = _f.StartedNull("a", pool);
        var b = _f.StartedNull("b", pool);
        var fp = _f.Registry.FastPath;
        Mbuf** pkts = stackalloc Mbuf*[32];
        for (int i = 0; i < 1000; i++) Forward(fp, pkts);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++) Forward(fp, pkts);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.That(after - before, Is.Zero);
        Assert.That(b.GetStats().OPackets, Is.EqualTo(101_000UL * 32));
        Assert.That(a.GetStats().IPackets, Is.EqualTo(101_000UL * 32));

        static void Forward(EthFastPath fp, Mbuf** pkts)
        {
            ushort n = fp.RxBurst(0, 0, pkts, 32);
            fp.TxBurst(1, 0, pkts, n);
        }
    }

    [Test]
    public void Link_events_report_up_on_start_and_down_on_stop_once_per_change()
    {
        var pool = _f.Pool();
        using var sub = _f.Registry.SubscribeLinkEvents();
        var port = _f.Null.CreatePort("p", new NullOptions());
        Assert.That(port.Link, Is.EqualTo(LinkStatus.Down));
        port.Configure(1, 1);
        port.SetupRxQueue(0, 0, pool);
        port.SetupTxQueue(0, 0);
        port.Start();
        port.Start();
        Assert.That(port.GetLink().ToString(), Is.EqualTo("Link up at 10 Gbps FDX Fixed"));
        port.SetLinkDown();
        port.SetLinkUp();
        port.Stop();
        port.Close();
        sub.Dispose();

        var events = new List<LinkEvent>();
        while (sub.Reader.TryRead(out var e)) events.Add(e);
        Assert.That(sub.Reader.Completion.IsCompleted, Is.True);
        var up = new LinkStatus(LinkStatus.Speed10G, true, false, true);
        var down = new LinkStatus(LinkStatus.SpeedNone, true, false, false);
        Assert.That(events, Is.EqualTo(new[]
        {
            new LinkEvent(0, "p", LinkStatus.Down, up),
            new LinkEvent(0, "p", up, down),
            new LinkEvent(0, "p", down, up),
            new LinkEvent(0, "p", up, down),
        }));
    }

    [Test]
    public void Link_subscriptions_complete_when_the_registry_is_disposed()
    {
        var registry = new EthdevRegistry();
        var sub = registry.SubscribeLinkEvents();
        registry.Dispose();
        Assert.That(sub.Reader.Completion.IsCompleted, Is.True);
        Assert.Throws<ObjectDisposedException>(() => registry.SubscribeLinkEvents());
    }

    [Test]
    public void Two_registries_have_independent_tables()
    {
        using var other = new EthdevRegistry();
        var pool = _f.Pool();
        var mine = _f.StartedNull("p", pool);
        var otherNull = new NullPmd(other);
        var theirs = otherNull.CreatePort("p", new NullOptions(NoRx: true));
        theirs.Configure(1, 1);
        theirs.SetupRxQueue(0, 0, pool);
        theirs.SetupTxQueue(0, 0);
        theirs.Start();
        Mbuf** pkts = stackalloc Mbuf*[4];
        Assert.That(_f.Registry.FastPath.RxBurst(0, 0, pkts, 4), Is.EqualTo(4));
        Assert.That(other.FastPath.RxBurst(0, 0, pkts + 4, 0), Is.Zero);
        Assert.That(other.FastPath.RxBurst(0, 0, pkts, 4), Is.Zero, "same port id, other instance: no-rx port");
        _f.Registry.FastPath.TxBurst(0, 0, pkts, 4);
        theirs.Stop();
        theirs.Close();
        Assert.That(mine.IsStarted, Is.True);
    }
}

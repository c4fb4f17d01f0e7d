using Eal.Bus;
using Eal.Memory.Mbufs;
using Eal.Memory.Rings;
using Eal.Net.Ring;

namespace Eal.Ethdev.Tests;

[TestFixture]
public sealed unsafe class RingPmdTests
{
    private Fixture _f = null!;

    [SetUp]
    public void SetUp() => _f = new Fixture();

    [TearDown]
    public void TearDown() => _f.Dispose();

    private static void Start(EthPort port, PktMbufPool pool, ushort queues = 1)
    {
        port.Configure(queues, queues);
        for (ushort q = 0; q < queues; q++)
        {
            port.SetupRxQueue(q, 0, pool);
            port.SetupTxQueue(q, 0);
        }
        port.Start();
    }

    [Test]
    public void Two_ports_over_crossed_rings_pass_packets_both_ways()
    {
        using var r1 = Ring.Create("r1", 64, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        using var r2 = Ring.Create("r2", 64, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        var pool = _f.Pool();
        var a = _f.Ring.CreatePort("a", [r1], [r2]);
        var b = _f.Ring.CreatePort("b", [r2], [r1]);
        Start(a, pool);
        Start(b, pool);
        Assert.That(a.Info.DriverName, Is.EqualTo("net_ring"));

        Mbuf** pkts = stackalloc Mbuf*[8];
        Mbuf** got = stackalloc Mbuf*[8];
        for (int i = 0; i < 8; i++) pkts[i] = pool.Alloc();
        Assert.That(_f.Registry.TxBurst(a.PortId, 0, pkts, 8), Is.EqualTo(8));
        Assert.That(_f.Registry.RxBurst(a.PortId, 0, got, 8), Is.Zero, "a receives from r1, which nobody filled");
        Assert.That(_f.Registry.RxBurst(b.PortId, 0, got, 8), Is.EqualTo(8));
        for (int i = 0; i < 8; i++) Assert.That((nint)got[i], Is.EqualTo((nint)pkts[i]), "same mbufs, same order");
        Assert.That(_f.Registry.TxBurst(b.PortId, 0, got, 8), Is.EqualTo(8));
        Assert.That(_f.Registry.RxBurst(a.PortId, 0, pkts, 8), Is.EqualTo(8));
        for (int i = 0; i < 8; i++) Mbuf.Free(pkts[i]);

        Assert.That((a.GetStats().OPackets, a.GetStats().IPackets, b.GetStats().IPackets, b.GetStats().OPackets), Is.EqualTo((8UL, 8UL, 8UL, 8UL)));
        Assert.That(pool.InUseCount, Is.Zero);
    }

    [Test]
    public void A_full_ring_leaves_unsent_mbufs_with_the_caller_and_counts_tx_errors()
    {
        using var r = Ring.Create("r", 8, RingFlags.SingleProducer | RingFlags.SingleConsumer);
        var pool = _f.Pool();
        var p = _f.Ring.CreatePort("p", [r], [r]);
        Start(p, pool);
        Mbuf** pkts = stackalloc Mbuf*[10];
        for (int i = 0; i < 10; i++) pkts[i] = pool.Alloc();
        Assert.That(_f.Registry.TxBurst(0, 0, pkts, 10), Is.EqualTo(7), "capacity of an 8-slot ring is 7");
        var s = p.GetStats();
        Assert.That((s.OPackets, s.OErrors), Is.EqualTo((7UL, 3UL)));
        Mbuf.FreeBulk(pkts + 7, 3);
        Assert.That(_f.Registry.RxBurst(0, 0, pkts, 10), Is.EqualTo(7), "loopback: the same ring");
        Mbuf.FreeBulk(pkts, 7);
        Assert.That(pool.InUseCount, Is.Zero);
        p.ResetStats();
        Assert.That(p.GetStats().OErrors, Is.Zero);
    }

    [Test]
    public void Queue_count_is_bounded_by_the_rings()
    {
        using var r = Ring.Create("r", 8);
        var p = _f.Ring.CreatePort("p", [r], [r]);
        Assert.That(Assert.Throws<EthdevException>(() => p.Configure(2, 1))!.Message,
            Is.EqualTo("port 0 (p): 2 Rx queues requested; the device has at most 1"));
        Assert.That(Assert.Throws<ArgumentException>(() => _f.Ring.CreatePort("q", [], [r]))!.Message,
            Is.EqualTo("port 'q': needs 1..1024 Rx rings and Tx rings, got 0 and 1"));
        Assert.That(Assert.Throws<EthdevException>(() => _f.Ring.CreatePort("p", [r], [r]))!.Message, Does.Contain("already has that name"));
    }

    [TestCase("nodeaction=r0:0:CREATE", "r0", 0, RingNodeAction.Create)]
    [TestCase("nodeaction=ring_x:1:ATTACH", "ring_x", 1, RingNodeAction.Attach)]
    public void Nodeaction_parses(string args, string name, int node, RingNodeAction action) =>
        Assert.That(RingPmd.ParseNodeActions("net_ring0", args), Is.EqualTo(new[] { new RingNodeActionEntry(name, node, action) }));

    [TestCase("nodeaction=r0:0:DELETE")]
    [TestCase("nodeaction=r0:x:CREATE")]
    [TestCase("nodeaction=:0:CREATE")]
    [TestCase("nodeaction=r0:0")]
    public void Bad_nodeaction_is_refused(string args)
    {
        var ex = Assert.Throws<DeviceProbeException>(() => RingPmd.ParseNodeActions("net_ring0", args));
        Assert.That(ex!.Message, Does.StartWith($"net_ring0: nodeaction='{args["nodeaction=".Length..]}': expected name:node:action with action CREATE or ATTACH, e.g. nodeaction=r0:0:CREATE"));
    }

    [Test]
    public void Nodeaction_create_and_attach_through_eal_share_rings_and_detach_frees_them()
    {
        using var eal = EalHarness.Start(
            "--vdev", "net_ring0,nodeaction=r0:0:CREATE",
            "--vdev", "net_ring1,nodeaction=r0:0:ATTACH",
            "--vdev", "net_ring2",
            "--vdev", "net_ring3,nodeaction=nope:0:ATTACH");
        var ports = eal.Ethdev.Ports;
        Assert.That(ports.Select(p => (p.Name, p.Device!.Name)), Is.EqualTo(new[]
        {
            ("r0", "net_ring0"), ("net_ring1_r0", "net_ring1"), ("net_ring2", "net_ring2"),
        }));
        Assert.That(eal.Eal.ProbeFailures.Single().Reason, Does.Contain("net_ring3: nodeaction=nope:0:ATTACH: no rings named nope exist; create them first with nodeaction=nope:0:CREATE"));
        Assert.That(eal.RingPmd.RingSetNames, Is.EqualTo(new[] { "net_ring2", "r0" }));
        Assert.That(eal.RingPmd.FindRingSet("r0")!.Select(r => r.Name).Take(2), Is.EqualTo(new[] { "ETH_RXTX0_r0", "ETH_RXTX1_r0" }));
        Assert.That(ports[0].Info.MaxRxQueues, Is.EqualTo(RingPmd.RingsPerSet));
        Assert.That(eal.Ethdev.Find("bus=vdev,name=net_ring1/class=eth").Single().Name, Is.EqualTo("net_ring1_r0"));

        using var pool = eal.Pool("ring_mp", 255);
        foreach (var p in ports.Take(2)) Start(p, pool, queues: 2);
        Mbuf** pkts = stackalloc Mbuf*[4];
        for (int i = 0; i < 4; i++) pkts[i] = pool.Alloc();
        Assert.That(eal.Ethdev.TxBurst(ports[0].PortId, 1, pkts, 4), Is.EqualTo(4));
        Assert.That(eal.Ethdev.RxBurst(ports[1].PortId, 0, pkts, 4), Is.Zero, "queue 0 is ring 0");
        Assert.That(eal.Ethdev.RxBurst(ports[1].PortId, 1, pkts, 4), Is.EqualTo(4), "the attached port sees ring 1 of the set");
        Mbuf.FreeBulk(pkts, 4);

        var dev0 = ports[0].Device!;
        eal.Eal.Detach(dev0);
        Assert.That(ports[0].State, Is.EqualTo(EthPortState.Closed), "detach stops and closes the device's ports");
        Assert.That(eal.RingPmd.RingSetNames, Is.EqualTo(new[] { "net_ring2", "r0" }), "r0 still used by net_ring1");
        eal.Eal.Detach(ports[1].Device!);
        Assert.That(eal.RingPmd.RingSetNames, Is.EqualTo(new[] { "net_ring2" }));
        Assert.That(pool.InUseCount, Is.Zero);
    }

    [Test]
    public void Several_nodeactions_make_several_ports_on_one_device()
    {
        using var eal = EalHarness.Start("--vdev", "net_ring0,nodeaction=a:0:CREATE,nodeaction=b:0:CREATE");
        Assert.That(eal.Ethdev.Ports.Select(p => p.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(eal.Ethdev.PortsOf(eal.Ethdev.Ports[0].Device!).Count, Is.EqualTo(2));
    }
}

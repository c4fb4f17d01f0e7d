using Eal.Bus;
using Eal.Memory.Mbufs;
using Eal.Net.Null;

namespace Eal.Ethdev.Tests;

[TestFixture]
public sealed unsafe class NullPmdTests
{
    private Fixture _f = null!;

    [SetUp]
    public void SetUp() => _f = new Fixture();

    [TearDown]
    public void TearDown() => _f.Dispose();

    [TestCase("", 64u, false, false)]
    [TestCase("size=256", 256u, false, false)]
    [TestCase("size=0", 0u, false, false)]
    [TestCase("copy=1", 64u, true, false)]
    [TestCase("no-rx=1,size=100", 100u, false, true)]
    [TestCase("copy=0,no-rx=0", 64u, false, false)]
    public void Parameters_parse(string args, uint size, bool copy, bool noRx) =>
        Assert.That(NullPmd.ParseOptions("net_null0", args), Is.EqualTo(new NullOptions(size, copy, noRx)));

    [TestCase("size=abc", "net_null0: size='abc' is not a non-negative integer")]
    [TestCase("size=-1", "net_null0: size='-1' is not a non-negative integer")]
    [TestCase("size", "net_null0: size='' is not a non-negative integer")]
    [TestCase("size=65536", "net_null0: size=65536 is too large; an mbuf segment holds at most 65535 bytes")]
    [TestCase("copy=2", "net_null0: copy=2: expected 0 or 1")]
    [TestCase("no-rx=yes", "net_null0: no-rx='yes' is not a non-negative integer")]
    [TestCase("copy=1,no-rx=1", "net_null0: copy=1 and no-rx=1 cannot be used together (DPDK refuses the combination); choose one")]
    [TestCase("rxq=2", "net_null0: driver net_null has no parameter 'rxq'; valid: size=<int> copy=<int> no-rx=<int>")]
    public void Invalid_parameters_are_refused_with_the_reason(string args, string message)
    {
        var ex = Assert.Throws<DeviceProbeException>(() => NullPmd.ParseOptions("net_null0", args));
        Assert.That(ex!.Message, Is.EqualTo(message));
    }

    [Test]
    public void Rx_hands_out_mbufs_of_the_packet_size_with_the_port_set()
    {
        var pool = _f.Pool(count: 255);
        _f.StartedNull("other", pool);
        var port = _f.StartedNull("p", pool, new NullOptions(PacketSize: 200));
        Mbuf** pkts = stackalloc Mbuf*[16];
        Assert.That(_f.Registry.RxBurst(port.PortId, 0, pkts, 16), Is.EqualTo(16));
        for (int i = 0; i < 16; i++)
        {
            Assert.That((pkts[i]->PktLen, pkts[i]->DataLen, pkts[i]->Port, pkts[i]->NbSegs), Is.EqualTo((200u, (ushort)200, (ushort)1, (ushort)1)));
        }
        Assert.That(pool.InUseCount, Is.EqualTo(16));
        Assert.That(_f.Registry.TxBurst(port.PortId, 0, pkts, 16), Is.EqualTo(16));
        Assert.That(pool.InUseCount, Is.Zero, "Tx frees what it sends");
        var s = port.GetStats();
        Assert.That((s.IPackets, s.IBytes, s.OPackets, s.OBytes), Is.EqualTo((16UL, 3200UL, 16UL, 3200UL)));
    }

    [Test]
    public void Rx_is_all_or_nothing_and_counts_allocation_failures()
    {
        var pool = _f.Pool(count: 20);
        var port = _f.StartedNull("p", pool);
        Mbuf** pkts = stackalloc Mbuf*[32];
        Assert.That(_f.Registry.RxBurst(0, 0, pkts, 16), Is.EqualTo(16));
        Assert.That(_f.Registry.RxBurst(0, 0, pkts + 16, 16), Is.Zero, "4 left, 16 asked");
        var s = port.GetStats();
        Assert.That((s.IPackets, s.RxNoMbuf), Is.EqualTo((16UL, 16UL)));
        _f.Registry.TxBurst(0, 0, pkts, 16);
    }

    [Test]
    public void No_rx_receives_nothing_but_still_transmits()
    {
        var pool = _f.Pool();
        var port = _f.StartedNull("p", pool, new NullOptions(NoRx: true));
        Mbuf** pkts = stackalloc Mbuf*[8];
        Assert.That(_f.Registry.RxBurst(0, 0, pkts, 8), Is.Zero);
        Assert.That(pool.Mempool.GetBulk(new Span<nint>(pkts, 8)), Is.True);
        for (int i = 0; i < 8; i++) { Mbuf.Reset(pkts[i]); pkts[i]->PktLen = 10; pkts[i]->DataLen = 10; }
        Assert.That(_f.Registry.TxBurst(0, 0, pkts, 8), Is.EqualTo(8));
        Assert.That(pool.InUseCount, Is.Zero);
        Assert.That(port.GetStats().OBytes, Is.EqualTo(80));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Copy_mode_writes_the_dummy_packet_into_received_mbufs(bool copy)
    {
        var pool = _f.Pool(count: 63);
        // Paint every data room so we can see what Rx wrote.
        var all = new nint[63];
        Assert.That(pool.Mempool.GetBulk(all), Is.True);
        foreach (var m in all) new Span<byte>(((Mbuf*)m)->BufAddr, ((Mbuf*)m)->BufLen).Fill(0xAB);
        pool.Mempool.PutBulk(all);

        var port = _f.StartedNull("p", pool, new NullOptions(PacketSize: 100, Copy: copy));
        Mbuf** pkts = stackalloc Mbuf*[4];
        Assert.That(_f.Registry.RxBurst(port.PortId, 0, pkts, 4), Is.EqualTo(4));
        var data = new ReadOnlySpan<byte>(pkts[0]->BufAddr + pkts[0]->DataOff, 101);
        Assert.That(data[0], Is.EqualTo(copy ? 0 : 0xAB));
        Assert.That(data[99], Is.EqualTo(copy ? 0 : 0xAB));
        Assert.That(data[100], Is.EqualTo(0xAB), "nothing past the packet size is written");
        Assert.That(_f.Registry.TxBurst(port.PortId, 0, pkts, 4), Is.EqualTo(4));
        Assert.That(pool.InUseCount, Is.Zero);
    }

    [Test]
    public void Copy_mode_refuses_a_pool_too_small_for_the_packet()
    {
        var pool = _f.Pool(dataRoom: 1024, name: "small");
        var port = _f.Null.CreatePort("p", new NullOptions(PacketSize: 2000, Copy: true));
        port.Configure(1, 1);
        var ex = Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 0, pool));
        Assert.That(ex!.Message, Is.EqualTo("port 0 (p): size=2000 with copy=1 does not fit mbuf pool 'small' (896 bytes after headroom); use a pool with a data room of at least 2128"));
    }

    [Test]
    public void Multiple_queues_count_separately_and_xstats_use_dpdk_names()
    {
        var pool = _f.Pool(count: 511, cache: 32);
        var port = _f.StartedNull("p", pool, queues: 2);
        Mbuf** pkts = stackalloc Mbuf*[32];
        ushort n0 = _f.Registry.RxBurst(0, 0, pkts, 3);
        _f.Registry.TxBurst(0, 1, pkts, n0);
        ushort n1 = _f.Registry.RxBurst(0, 1, pkts, 5);
        _f.Registry.TxBurst(0, 1, pkts, n1);
        var s = port.GetStats();
        Assert.That(s.QueueIPackets.Take(2), Is.EqualTo(new[] { 3UL, 5UL }));
        Assert.That(s.QueueOPackets.Take(2), Is.EqualTo(new[] { 0UL, 8UL }));
        Assert.That(s.QueueIBytes.Take(2), Is.EqualTo(new[] { 192UL, 320UL }));
        var x = port.GetXStats();
        Assert.That(x.Select(e => e.Name), Is.EqualTo(new[]
        {
            "rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes", "rx_missed_errors", "rx_errors",
            "tx_errors", "rx_mbuf_allocation_errors", "rx_q0_packets", "rx_q0_bytes", "rx_q0_errors", "rx_q1_packets",
            "rx_q1_bytes", "rx_q1_errors", "tx_q0_packets", "tx_q0_bytes", "tx_q1_packets", "tx_q1_bytes",
        }));
        Assert.That(x.Select(e => e.Value), Is.EqualTo(new ulong[] { 8, 8, 512, 512, 0, 0, 0, 0, 3, 192, 0, 5, 320, 0, 0, 0, 8, 512 }));
        Assert.That(port.GetXStatNames(), Is.EqualTo(x.Select(e => e.Name)));
        port.ResetStats();
        Assert.That(port.GetXStats().Select(e => e.Value), Is.All.Zero);
    }

    [Test]
    public void Tx_with_an_lcore_frees_through_that_lcores_cache()
    {
        var pool = _f.Pool(count: 511, cache: 64);
        var port = _f.Null.CreatePort("p", new NullOptions());
        port.Configure(1, 1);
        port.SetupRxQueue(0, 0, pool, new RxQueueConfig { LcoreId = 3 });
        port.SetupTxQueue(0, 0, new TxQueueConfig { LcoreId = 3 });
        port.Start();
        Mbuf** pkts = stackalloc Mbuf*[16];
        Assert.That(_f.Registry.RxBurst(0, 0, pkts, 16), Is.EqualTo(16));
        _f.Registry.TxBurst(0, 0, pkts, 16);
        Assert.That(pool.Mempool.GetCache(3)->Length, Is.GreaterThanOrEqualTo(16u), "freed into lcore 3's cache");
        Assert.That(pool.InUseCount, Is.Zero);
    }

    [Test]
    public void Info_reports_null_capabilities()
    {
        var port = _f.Null.CreatePort("p", new NullOptions());
        var info = port.Info;
        Assert.That((info.DriverName, info.MaxRxQueues, info.MaxTxQueues, info.MaxMacAddresses, info.TxOffloadCapabilities),
            Is.EqualTo(("net_null", (ushort)1024, (ushort)1024, 1u, TxOffloads.MultiSegments)));
        Assert.That(port.DriverName, Is.EqualTo("net_null"));
    }
}

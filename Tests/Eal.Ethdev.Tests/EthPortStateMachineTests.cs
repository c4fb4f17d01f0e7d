using Eal.Devargs;
using Eal.Memory.Mbufs;
using Eal.Net.Null;
using Moq;

namespace Eal.Ethdev.Tests;

[TestFixture]
public sealed class EthPortStateMachineTests
{
    private Fixture _f = null!;

    [SetUp]
    public void SetUp() => _f = new Fixture();

    [TearDown]
    public void TearDown() => _f.Dispose();

    [Test]
    public void Configure_setup_start_stop_close_walks_the_states_and_frees_the_id()
    {
        var pool = _f.Pool();
        var port = _f.Null.CreatePort("net_null0", new NullOptions());
        Assert.That(port.State, Is.EqualTo(EthPortState.Unconfigured));
        Assert.That(port.PortId, Is.EqualTo(0));
        port.Configure(2, 3);
        Assert.That(port.State, Is.EqualTo(EthPortState.Configured));
        Assert.That((port.RxQueueCount, port.TxQueueCount), Is.EqualTo(((ushort)2, (ushort)3)));
        for (ushort q = 0; q < 2; q++) port.SetupRxQueue(q, 0, pool);
        for (ushort q = 0; q < 3; q++) port.SetupTxQueue(q, 0);
        port.Start();
        Assert.That(port.State, Is.EqualTo(EthPortState.Started));
        port.Start();
        Assert.That(port.State, Is.EqualTo(EthPortState.Started), "starting a started port does nothing");
        port.Stop();
        Assert.That(port.State, Is.EqualTo(EthPortState.Configured));
        port.Stop();
        port.Start();
        port.Stop();
        port.Close();
        Assert.That(port.State, Is.EqualTo(EthPortState.Closed));
        Assert.That(_f.Registry.Count, Is.Zero);
        Assert.That(_f.Registry.TryGetPort(0, out _), Is.False);
        var again = _f.Null.CreatePort("net_null1", new NullOptions());
        Assert.That(again.PortId, Is.EqualTo(0), "the lowest free id is reused");
    }

    [Test]
    public void Zero_queues_configures_one_of_each_as_dpdk()
    {
        var port = _f.Null.CreatePort("p", new NullOptions());
        port.Configure(0, 0);
        Assert.That((port.RxQueueCount, port.TxQueueCount), Is.EqualTo(((ushort)1, (ushort)1)));
        Assert.That(port.Mtu, Is.EqualTo(EthPort.DefaultMtu));
    }

    [Test]
    public void Start_before_configure_is_refused()
    {
        var port = _f.Null.CreatePort("p", new NullOptions());
        var ex = Assert.Throws<EthdevException>(port.Start);
        Assert.That(ex!.Message, Is.EqualTo("port 0 (p): cannot start before Configure(); configure, set up the queues, then start"));
    }

    [Test]
    public void Start_with_a_queue_not_set_up_names_the_queue()
    {
        var pool = _f.Pool();
        var port = _f.Null.CreatePort("p", new NullOptions());
        port.Configure(2, 1);
        port.SetupRxQueue(0, 0, pool);
        port.SetupTxQueue(0, 0);
        var ex = Assert.Throws<EthdevException>(port.Start);
        Assert.That(ex!.Message, Is.EqualTo("port 0 (p): Rx queue 1 is not set up; call SetupRxQueue(1, ...) before Start()"));
        Assert.That(port.State, Is.EqualTo(EthPortState.Configured));
    }

    [Test]
    public void Configure_and_queue_setup_while_started_and_close_while_started_are_refused()
    {
        var pool = _f.Pool();
        var port = _f.StartedNull("p", pool);
        Assert.That(Assert.Throws<EthdevException>(() => port.Configure(1, 1))!.Message,
            Is.EqualTo("port 0 (p): cannot configure a started port; call Stop() first"));
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 0, pool))!.Message,
            Is.EqualTo("port 0 (p): cannot set up Rx queue 0 while the port is started; call Stop() first"));
        Assert.That(Assert.Throws<EthdevException>(port.Close)!.Message,
            Is.EqualTo("port 0 (p): cannot close a started port; call Stop() first"));
        Assert.That(port.State, Is.EqualTo(EthPortState.Started));
    }

    [Test]
    public void Operations_on_a_closed_port_are_refused_and_close_is_idempotent()
    {
        var port = _f.Null.CreatePort("p", new NullOptions());
        port.Close();
        port.Close();
        var ex = Assert.Throws<EthdevException>(() => port.Configure(1, 1));
        Assert.That(ex!.Message, Does.StartWith("port 0 (p): Configure on a closed port"));
        Assert.That(Assert.Throws<EthdevException>(() => port.GetStats())!.Message, Does.StartWith("port 0 (p): GetStats on a closed port"));
    }

    [Test]
    public void Queue_setup_errors_name_the_queue_and_what_is_valid()
    {
        var pool = _f.Pool();
        var port = _f.Null.CreatePort("p", new NullOptions());
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 0, pool))!.Message,
            Is.EqualTo("port 0 (p): cannot set up Rx queue 0 before Configure(); configure the queue counts first"));
        port.Configure(2, 1);
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupRxQueue(2, 0, pool))!.Message,
            Is.EqualTo("port 0 (p): Rx queue 2 does not exist; the port is configured with 2 Rx queues (0..1)"));
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupTxQueue(1, 0))!.Message,
            Is.EqualTo("port 0 (p): Tx queue 1 does not exist; the port is configured with 1 Tx queue (0..0)"));
        Assert.Throws<ArgumentNullException>(() => port.SetupRxQueue(0, 0, null!));
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 0, pool, new RxQueueConfig { Offloads = RxOffloads.Scatter }))!.Message,
            Is.EqualTo("port 0 (p): Rx queue 0 offloads Scatter are not supported; the device supports none"));
    }

    [Test]
    public void Too_small_mbuf_data_room_is_refused()
    {
        var small = _f.Pool(dataRoom: 64, name: "tiny");
        var port = _f.Null.CreatePort("p", new NullOptions());
        port.Configure(1, 1);
        var ex = Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 0, small));
        Assert.That(ex!.Message, Is.EqualTo("port 0 (p): mbuf pool 'tiny' has a data room of 64 bytes; Rx queue 0 needs at least 128 (headroom 128 + the device's minimum buffer 0)"));
    }

    [Test]
    public void Descriptor_limits_and_preferred_ring_size_come_from_the_driver()
    {
        var ops = new Mock<EthDeviceOps>();
        ops.Setup(o => o.GetInfo(It.IsAny<EthPort>())).Returns(new EthDevInfo
        {
            DriverName = "net_mock",
            MaxRxQueues = 1,
            MaxTxQueues = 1,
            RxDescriptorLimits = new DescriptorLimits(4096, 64, 32),
            TxDescriptorLimits = new DescriptorLimits(4096, 64, 32),
            DefaultRxRingSize = 1024,
        });
        ops.Setup(o => o.SetupRxQueue(It.IsAny<EthPort>(), It.IsAny<ushort>(), It.IsAny<ushort>(), It.IsAny<int>(), It.IsAny<RxQueueConfig>(), It.IsAny<PktMbufPool>())).Returns(1);
        ops.Setup(o => o.SetupTxQueue(It.IsAny<EthPort>(), It.IsAny<ushort>(), It.IsAny<ushort>(), It.IsAny<int>(), It.IsAny<TxQueueConfig>())).Returns(2);
        var pool = _f.Pool();
        var port = _f.Registry.Allocate("m", ops.Object);
        port.Configure(1, 1);
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupRxQueue(0, 100, pool))!.Message,
            Is.EqualTo("port 0 (m): 100 Rx descriptors is invalid; the device needs <= 4096, >= 64 and a multiple of 32"));
        Assert.That(Assert.Throws<EthdevException>(() => port.SetupTxQueue(0, 32))!.Message,
            Is.EqualTo("port 0 (m): 32 Tx descriptors is invalid; the device needs <= 4096, >= 64 and a multiple of 32"));
        port.SetupRxQueue(0, 0, pool);
        ops.Verify(o => o.SetupRxQueue(port, 0, 1024, -1, It.IsAny<RxQueueConfig>(), pool), Times.Once);
        port.SetupTxQueue(0, 0);
        ops.Verify(o => o.SetupTxQueue(port, 0, EthPort.FallbackRingSize, -1, It.IsAny<TxQueueConfig>()), Times.Once);
        port.SetupRxQueue(0, 128, pool);
        ops.Verify(o => o.ReleaseRxQueue(port, 1), Times.Once, "setting a queue up again releases the old one");
    }

    [Test]
    public void Configure_checks_counts_offloads_and_mtu_against_the_device()
    {
        var ops = new Mock<EthDeviceOps>();
        ops.Setup(o => o.GetInfo(It.IsAny<EthPort>())).Returns(new EthDevInfo
        {
            DriverName = "net_mock", MaxRxQueues = 4, MaxTxQueues = 2, MinMtu = 68, MaxMtu = 9000,
            RxOffloadCapabilities = RxOffloads.VlanStrip | RxOffloads.RssHash,
        });
        var port = _f.Registry.Allocate("m", ops.Object);
        Assert.That(Assert.Throws<EthdevException>(() => port.Configure(5, 1))!.Message,
            Is.EqualTo("port 0 (m): 5 Rx queues requested; the device has at most 4"));
        Assert.That(Assert.Throws<EthdevException>(() => port.Configure(1, 2000))!.Message,
            Is.EqualTo("port 0 (m): 2000 Tx queues requested; at most 1024 per port (RTE_MAX_QUEUES_PER_PORT)"));
        Assert.That(Assert.Throws<EthdevException>(() => port.Configure(1, 1, new EthConf { RxOffloads = RxOffloads.VlanStrip | RxOffloads.TcpLro }))!.Message,
            Is.EqualTo("port 0 (m): Rx offloads TcpLro are not supported; the device supports VlanStrip, RssHash"));
        Assert.That(Assert.Throws<EthdevException>(() => port.Configure(1, 1, new EthConf { Mtu = 9001 }))!.Message,
            Is.EqualTo("port 0 (m): MTU 9001 is above the device maximum 9000 (valid 68..9000)"));
        Assert.That(port.State, Is.EqualTo(EthPortState.Unconfigured), "a refused configuration changes nothing");
        ops.Verify(o => o.Configure(It.IsAny<EthPort>(), It.IsAny<EthConf>()), Times.Never);
        port.Configure(4, 2, new EthConf { RxOffloads = RxOffloads.RssHash, Mtu = 9000 });
        Assert.That(port.Mtu, Is.EqualTo(9000));
        Assert.That(port.Configuration!.RxOffloads, Is.EqualTo(RxOffloads.RssHash));
        Assert.That(Assert.Throws<EthdevException>(() => port.SetMtu(67))!.Message,
            Is.EqualTo("port 0 (m): MTU 67 is below the device minimum 68 (valid 68..9000)"));
    }

    [Test]
    public void Reconfigure_releases_queues_above_the_new_count_only()
    {
        var ops = new Mock<EthDeviceOps>();
        ops.Setup(o => o.GetInfo(It.IsAny<EthPort>())).Returns(new EthDevInfo { DriverName = "net_mock", MaxRxQueues = 4, MaxTxQueues = 4 });
        ops.Setup(o => o.SetupRxQueue(It.IsAny<EthPort>(), It.IsAny<ushort>(), It.IsAny<ushort>(), It.IsAny<int>(), It.IsAny<RxQueueConfig>(), It.IsAny<PktMbufPool>()))
            .Returns((EthPort _, ushort q, ushort _, int _, RxQueueConfig _, PktMbufPool _) => 100 + q);
        var pool = _f.Pool();
        var port = _f.Registry.Allocate("m", ops.Object);
        port.Configure(3, 1);
        for (ushort q = 0; q < 3; q++) port.SetupRxQueue(q, 0, pool);
        port.Configure(1, 1);
        ops.Verify(o => o.ReleaseRxQueue(port, 101), Times.Once);
        ops.Verify(o => o.ReleaseRxQueue(port, 102), Times.Once);
        ops.Verify(o => o.ReleaseRxQueue(port, 100), Times.Never);
    }

    [Test]
    public void Reset_stops_releases_queues_and_leaves_the_port_unconfigured()
    {
        var pool = _f.Pool(cache: 32);
        var port = _f.StartedNull("p", pool);
        port.Reset();
        Assert.That(port.State, Is.EqualTo(EthPortState.Unconfigured));
        Assert.That(port.RxQueueCount, Is.Zero);
        Assert.That(port.Link.Up, Is.False);
        Assert.That(pool.AvailableCount, Is.EqualTo(pool.Mempool.PopulatedCount), "queue caches flushed back");
        port.Configure(1, 1);
        port.SetupRxQueue(0, 0, pool);
        port.SetupTxQueue(0, 0);
        port.Start();
        Assert.That(port.IsStarted, Is.True);
    }

    [Test]
    public void Names_are_unique_and_ids_are_bounded()
    {
        _f.Null.CreatePort("dup", new NullOptions());
        Assert.That(Assert.Throws<EthdevException>(() => _f.Null.CreatePort("dup", new NullOptions()))!.Message,
            Is.EqualTo("cannot create port 'dup': port 0 (dup) already has that name; port names are unique"));
        for (int i = 1; i < EthdevRegistry.MaxPorts; i++) _f.Null.CreatePort($"n{i}", new NullOptions());
        Assert.That(Assert.Throws<EthdevException>(() => _f.Null.CreatePort("one-too-many", new NullOptions()))!.Message,
            Is.EqualTo("cannot create port 'one-too-many': all 32 port ids (RTE_MAX_ETHPORTS) are in use; close a port first"));
        Assert.That(_f.Registry.FindByName("n5")!.PortId, Is.EqualTo(5));
        Assert.That(Assert.Throws<EthdevException>(() => _f.Registry.GetPort(40))!.Message, Does.StartWith("port 40 does not exist; valid port ids: 0, 1, 2"));
    }

    [Test]
    public void Mac_promiscuous_allmulticast_and_lookup_by_devargs_filter()
    {
        var a = _f.Null.CreatePort("a", new NullOptions());
        var b = _f.Null.CreatePort("b", new NullOptions());
        Assert.That(a.MacAddress.IsValidAssigned && a.MacAddress.IsLocallyAdministered, Is.True, a.MacAddress.ToString());
        a.SetMacAddress(MacAddress.Parse("02:00:00:00:00:01"));
        b.SetMacAddress(MacAddress.Parse("02-00-00-00-00-02"));
        Assert.That(Assert.Throws<EthdevException>(() => a.SetMacAddress(MacAddress.Parse("01:00:5E:00:00:01")))!.Message,
            Is.EqualTo("port 0 (a): 01:00:5E:00:00:01 cannot be a port address; it must be unicast (first octet even) and not all zero"));
        Assert.That(_f.Registry.Find("class=eth,mac=02:00:00:00:00:02").Select(p => p.Name), Is.EqualTo(new[] { "b" }));
        Assert.That(_f.Registry.Find("class=eth").Select(p => p.Name), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(_f.Registry.Find("class=eth,mac=0200:0000:0001").Select(p => p.Name), Is.EqualTo(new[] { "a" }));
        Assert.That(_f.Registry.Find("bus=vdev/class=eth"), Is.Empty, "ports made by API have no device");
        Assert.That(Assert.Throws<DevargsException>(() => _f.Registry.Find("class=eth,speed=10"))!.Message,
            Is.EqualTo("'class=eth,speed=10': unknown key 'speed' in the eth class layer; valid: mac"));
        Assert.That(Assert.Throws<DevargsException>(() => _f.Registry.Find("class=vdpa"))!.Message,
            Is.EqualTo("'class=vdpa': class 'vdpa' is not handled by ethdev; use class=eth"));
        Assert.That(Assert.Throws<DevargsException>(() => _f.Registry.Find("mac=02:00:00:00:00:01"))!.Message,
            Is.EqualTo("'mac=02:00:00:00:00:01': layer 'mac=02:00:00:00:00:01' is neither a bus layer (bus=...) nor a class layer (class=eth,...)"));
        Assert.That(Assert.Throws<DevargsException>(() => _f.Registry.Find("class=eth,mac=zz"))!.Message,
            Is.EqualTo("'class=eth,mac=zz': mac='zz' is not a MAC address; expected XX:XX:XX:XX:XX:XX"));

        a.SetPromiscuous(true);
        a.SetAllMulticast(true);
        Assert.That((a.Promiscuous, a.AllMulticast, b.Promiscuous), Is.EqualTo((true, true, false)));
    }
}

namespace Eal.Ethdev;

/// <summary>Port configuration passed to <see cref="EthPort.Configure"/> (DPDK's <c>struct rte_eth_conf</c>, the parts we model).</summary>
public sealed record EthConf
{
    /// <summary>Rx offloads requested for every Rx queue; must be within <see cref="EthDevInfo.RxOffloadCapabilities"/>.</summary>
    public RxOffloads RxOffloads { get; init; }

    /// <summary>Tx offloads requested for every Tx queue; must be within <see cref="EthDevInfo.TxOffloadCapabilities"/>.</summary>
    public TxOffloads TxOffloads { get; init; }

    /// <summary>MTU; 0 means DPDK's default of 1500 (<c>RTE_ETHER_MTU</c>).</summary>
    public ushort Mtu { get; init; }
}

/// <summary>Rx queue configuration (DPDK's <c>struct rte_eth_rxconf</c>, the parts we model).</summary>
public sealed record RxQueueConfig
{
    /// <summary>Value of <see cref="LcoreId"/> when the queue is not bound to an lcore.</summary>
    public const uint NoLcore = uint.MaxValue;

    /// <summary>Extra Rx offloads for this queue (on top of the port's).</summary>
    public RxOffloads Offloads { get; init; }

    /// <summary>
    /// The lcore that polls this queue. A queue is polled by one thread (DPDK's rule); drivers use that lcore's
    /// mempool cache. <see cref="NoLcore"/> (default): the driver uses a cache private to the queue.
    /// </summary>
    public uint LcoreId { get; init; } = NoLcore;
}

/// <summary>Tx queue configuration (DPDK's <c>struct rte_eth_txconf</c>, the parts we model).</summary>
public sealed record TxQueueConfig
{
    /// <summary>Extra Tx offloads for this queue (on top of the port's).</summary>
    public TxOffloads Offloads { get; init; }

    /// <summary>
    /// The lcore that transmits on this queue; drivers free transmitted mbufs through that lcore's mempool cache.
    /// <see cref="RxQueueConfig.NoLcore"/> (default): frees go straight to the pools.
    /// </summary>
    public uint LcoreId { get; init; } = RxQueueConfig.NoLcore;
}

/// <summary>Descriptor-count limits of a queue (DPDK's <c>struct rte_eth_desc_lim</c>).</summary>
/// <param name="Max">Largest count.</param>
/// <param name="Min">Smallest count.</param>
/// <param name="Align">Counts must be a multiple of this.</param>
public readonly record struct DescriptorLimits(ushort Max, ushort Min, ushort Align)
{
    /// <summary>No limits (DPDK's defaults: max 65535, min 0, align 1).</summary>
    public static DescriptorLimits Unlimited => new(ushort.MaxValue, 0, 1);
}

/// <summary>What a port can do (DPDK's <c>struct rte_eth_dev_info</c>, the parts we model).</summary>
public sealed record EthDevInfo
{
    /// <summary>The driver name, e.g. <c>net_null</c>.</summary>
    public required string DriverName { get; init; }

    /// <summary>Most Rx queues.</summary>
    public ushort MaxRxQueues { get; init; } = 1;

    /// <summary>Most Tx queues.</summary>
    public ushort MaxTxQueues { get; init; } = 1;

    /// <summary>Most MAC addresses.</summary>
    public uint MaxMacAddresses { get; init; } = 1;

    /// <summary>Largest Rx packet length.</summary>
    public uint MaxRxPacketLength { get; init; } = uint.MaxValue;

    /// <summary>Smallest Rx buffer the driver accepts (mbuf data room minus headroom).</summary>
    public uint MinRxBufferSize { get; init; }

    /// <summary>Smallest MTU.</summary>
    public ushort MinMtu { get; init; } = 68;

    /// <summary>Largest MTU.</summary>
    public ushort MaxMtu { get; init; } = ushort.MaxValue;

    /// <summary>Rx offloads the port supports.</summary>
    public RxOffloads RxOffloadCapabilities { get; init; }

    /// <summary>Tx offloads the port supports.</summary>
    public TxOffloads TxOffloadCapabilities { get; init; }

    /// <summary>Rx descriptor limits.</summary>
    public DescriptorLimits RxDescriptorLimits { get; init; } = DescriptorLimits.Unlimited;

    /// <summary>Tx descriptor limits.</summary>
    public DescriptorLimits TxDescriptorLimits { get; init; } = DescriptorLimits.Unlimited;

    /// <summary>Preferred Rx ring size, 0 for none (then 512 is used, DPDK's fallback).</summary>
    public ushort DefaultRxRingSize { get; init; }

    /// <summary>Preferred Tx ring size, 0 for none (then 512 is used, DPDK's fallback).</summary>
    public ushort DefaultTxRingSize { get; init; }

    /// <summary>Speeds the port supports, in Mbps.</summary>
    public IReadOnlyList<uint> SpeedCapabilities { get; init; } = [];
}

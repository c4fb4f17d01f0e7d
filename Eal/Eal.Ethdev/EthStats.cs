namespace Eal.Ethdev;

/// <summary>Basic port statistics (DPDK's <c>struct rte_eth_stats</c>).</summary>
public sealed class EthStats
{
    /// <summary>Per-queue counters kept for the first this-many queues (<c>RTE_ETHDEV_QUEUE_STAT_CNTRS</c>).</summary>
    public const int QueueStatCounters = 16;

    /// <summary>Packets received.</summary>
    public ulong IPackets { get; set; }

    /// <summary>Packets sent.</summary>
    public ulong OPackets { get; set; }

    /// <summary>Bytes received.</summary>
    public ulong IBytes { get; set; }

    /// <summary>Bytes sent.</summary>
    public ulong OBytes { get; set; }

    /// <summary>Packets dropped by the device because no descriptor was free.</summary>
    public ulong IMissed { get; set; }

    /// <summary>Erroneous packets received.</summary>
    public ulong IErrors { get; set; }

    /// <summary>Failed transmissions.</summary>
    public ulong OErrors { get; set; }

    /// <summary>Rx mbuf allocation failures.</summary>
    public ulong RxNoMbuf { get; set; }

    /// <summary>Packets received per queue.</summary>
    public ulong[] QueueIPackets { get; } = new ulong[QueueStatCounters];

    /// <summary>Packets sent per queue.</summary>
    public ulong[] QueueOPackets { get; } = new ulong[QueueStatCounters];

    /// <summary>Bytes received per queue.</summary>
    public ulong[] QueueIBytes { get; } = new ulong[QueueStatCounters];

    /// <summary>Bytes sent per queue.</summary>
    public ulong[] QueueOBytes { get; } = new ulong[QueueStatCounters];

    /// <summary>Errors per queue (Rx errors in DPDK's generic xstats).</summary>
    public ulong[] QueueErrors { get; } = new ulong[QueueStatCounters];
}

/// <summary>One extended statistic (DPDK's <c>rte_eth_xstat</c> with its name).</summary>
/// <param name="Id">Index in the port's xstats list.</param>
/// <param name="Name">DPDK's name, e.g. <c>rx_good_packets</c> or <c>rx_q0_packets</c>.</param>
/// <param name="Value">The value.</param>
public readonly record struct EthXStat(uint Id, string Name, ulong Value);

namespace Eal.Ethdev;

/// <summary>Rx offload capabilities and requests; bit values are DPDK's <c>RTE_ETH_RX_OFFLOAD_*</c>.</summary>
[Flags]
public enum RxOffloads : ulong
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Strip the VLAN tag.</summary>
    VlanStrip = 1UL << 0,
    /// <summary>Check IPv4 checksums.</summary>
    Ipv4Checksum = 1UL << 1,
    /// <summary>Check UDP checksums.</summary>
    UdpChecksum = 1UL << 2,
    /// <summary>Check TCP checksums.</summary>
    TcpChecksum = 1UL << 3,
    /// <summary>TCP large receive offload.</summary>
    TcpLro = 1UL << 4,
    /// <summary>Strip QinQ tags.</summary>
    QinqStrip = 1UL << 5,
    /// <summary>Check outer IPv4 checksums.</summary>
    OuterIpv4Checksum = 1UL << 6,
    /// <summary>Filter by VLAN.</summary>
    VlanFilter = 1UL << 9,
    /// <summary>Extended VLAN.</summary>
    VlanExtend = 1UL << 10,
    /// <summary>Receive into chains of mbufs.</summary>
    Scatter = 1UL << 13,
    /// <summary>Timestamp packets.</summary>
    Timestamp = 1UL << 14,
    /// <summary>Keep the CRC.</summary>
    KeepCrc = 1UL << 16,
    /// <summary>Check SCTP checksums.</summary>
    SctpChecksum = 1UL << 17,
    /// <summary>Check outer UDP checksums.</summary>
    OuterUdpChecksum = 1UL << 18,
    /// <summary>Deliver the RSS hash.</summary>
    RssHash = 1UL << 19,
}

/// <summary>Tx offload capabilities and requests; bit values are DPDK's <c>RTE_ETH_TX_OFFLOAD_*</c>.</summary>
[Flags]
public enum TxOffloads : ulong
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Insert a VLAN tag.</summary>
    VlanInsert = 1UL << 0,
    /// <summary>Compute IPv4 checksums.</summary>
    Ipv4Checksum = 1UL << 1,
    /// <summary>Compute UDP checksums.</summary>
    UdpChecksum = 1UL << 2,
    /// <summary>Compute TCP checksums.</summary>
    TcpChecksum = 1UL << 3,
    /// <summary>Compute SCTP checksums.</summary>
    SctpChecksum = 1UL << 4,
    /// <summary>TCP segmentation.</summary>
    TcpTso = 1UL << 5,
    /// <summary>UDP segmentation.</summary>
    UdpTso = 1UL << 6,
    /// <summary>Compute outer IPv4 checksums.</summary>
    OuterIpv4Checksum = 1UL << 7,
    /// <summary>Insert QinQ tags.</summary>
    QinqInsert = 1UL << 8,
    /// <summary>Several threads may transmit on one queue without a lock.</summary>
    MtLockFree = 1UL << 14,
    /// <summary>Transmit chains of mbufs.</summary>
    MultiSegments = 1UL << 15,
    /// <summary>All mbufs of a queue come from one pool with refcount 1 (free without checks).</summary>
    MbufFastFree = 1UL << 16,
}

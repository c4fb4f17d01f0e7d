namespace Eal.Memory.Mbufs;

/// <summary>Offload flags of an <see cref="Mbuf"/> (<c>ol_flags</c>; values match DPDK's <c>RTE_MBUF_F_*</c>).</summary>
[Flags]
#pragma warning disable CA1711 // "Flags" is the DPDK name of the field.
public enum MbufOffloadFlags : ulong
#pragma warning restore CA1711
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>RX: the packet has a VLAN and <see cref="Mbuf.VlanTci"/> is valid.</summary>
    RxVlan = 1UL << 0,

    /// <summary>RX: <see cref="Mbuf.RssHash"/> is valid.</summary>
    RxRssHash = 1UL << 1,

    /// <summary>RX: a flow director rule matched.</summary>
    RxFdir = 1UL << 2,

    /// <summary>RX: L4 checksum is wrong.</summary>
    RxL4ChecksumBad = 1UL << 3,

    /// <summary>RX: IP checksum is wrong.</summary>
    RxIpChecksumBad = 1UL << 4,

    /// <summary>RX: the VLAN was stripped into <see cref="Mbuf.VlanTci"/>.</summary>
    RxVlanStripped = 1UL << 6,

    /// <summary>RX: IP checksum is right.</summary>
    RxIpChecksumGood = 1UL << 7,

    /// <summary>RX: L4 checksum is right.</summary>
    RxL4ChecksumGood = 1UL << 8,

    /// <summary>RX: the outer VLAN of a QinQ was stripped.</summary>
    RxQinqStripped = 1UL << 15,

    /// <summary>TX: TCP segmentation offload.</summary>
    TxTcpSegmentation = 1UL << 50,

    /// <summary>TX: take an IEEE 1588 timestamp.</summary>
    TxIeee1588Timestamp = 1UL << 51,

    /// <summary>TX: compute the TCP checksum.</summary>
    TxTcpChecksum = 1UL << 52,

    /// <summary>TX: compute the UDP checksum.</summary>
    TxUdpChecksum = 3UL << 52,

    /// <summary>TX: compute the IPv4 header checksum.</summary>
    TxIpChecksum = 1UL << 54,

    /// <summary>TX: the packet is IPv4.</summary>
    TxIpv4 = 1UL << 55,

    /// <summary>TX: the packet is IPv6.</summary>
    TxIpv6 = 1UL << 56,

    /// <summary>TX: insert the VLAN in <see cref="Mbuf.VlanTci"/>.</summary>
    TxVlan = 1UL << 57,

    /// <summary>The buffer is external (not embedded in an mbuf of this framework).</summary>
    External = 1UL << 61,

    /// <summary>Indirect mbuf: the buffer belongs to another (direct) mbuf, see <see cref="Mbuf.Attach"/>.</summary>
    Indirect = 1UL << 62,
}

namespace Eal.Ethdev;

/// <summary>The link state of a port (DPDK's <c>struct rte_eth_link</c>).</summary>
/// <param name="SpeedMbps">Speed in Mbps (<see cref="SpeedNone"/> when down or unknown).</param>
/// <param name="FullDuplex">Full duplex when true.</param>
/// <param name="Autoneg">Autonegotiated when true, fixed otherwise.</param>
/// <param name="Up">Link up when true.</param>
public readonly record struct LinkStatus(uint SpeedMbps, bool FullDuplex, bool Autoneg, bool Up)
{
    /// <summary>No speed (<c>RTE_ETH_SPEED_NUM_NONE</c>).</summary>
    public const uint SpeedNone = 0;

    /// <summary>10 Gbps (<c>RTE_ETH_SPEED_NUM_10G</c>).</summary>
    public const uint Speed10G = 10_000;

    /// <summary>A down link with no speed.</summary>
    public static LinkStatus Down => default;

    /// <summary>DPDK's <c>rte_eth_link_to_str</c> text: <c>Link up at 10 Gbps FDX Fixed</c> or <c>Link down</c>.</summary>
    public override string ToString()
    {
        if (!Up) return "Link down";
        string speed = SpeedMbps == SpeedNone ? "None" : SpeedMbps >= 1000 && SpeedMbps % 1000 == 0 ? $"{SpeedMbps / 1000} Gbps" : $"{SpeedMbps} Mbps";
        return $"Link up at {speed} {(FullDuplex ? "FDX" : "HDX")} {(Autoneg ? "Autoneg" : "Fixed")}";
    }
}

/// <summary>A link-status change (DPDK's <c>RTE_ETH_EVENT_INTR_LSC</c>).</summary>
/// <param name="PortId">The port whose link changed.</param>
/// <param name="PortName">The port's name.</param>
/// <param name="Previous">The status before the change.</param>
/// <param name="Current">The status after the change.</param>
public sealed record LinkEvent(ushort PortId, string PortName, LinkStatus Previous, LinkStatus Current);

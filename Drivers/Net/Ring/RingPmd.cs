using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Devargs;

namespace Eal.Net.Ring;

/// <summary>
/// The <c>net_ring</c> vdev driver's declaration: its name, alias and DPDK's <c>nodeaction</c> parameter
/// (<c>name:node:CREATE|ATTACH</c>). Probe checks the values; the ports over rings arrive with the ethdev class.
/// </summary>
public sealed class RingPmd : VdevDriver
{
    /// <inheritdoc />
    public override string Name => "net_ring";

    /// <inheritdoc />
    public override IReadOnlyList<string> Aliases => ["eth_ring"];

    /// <inheritdoc />
    public override IReadOnlyList<DriverParameter> Parameters { get; } =
    [
        new("nodeaction", "[name:node:action]", "create or attach a port over the named ring on a NUMA node (action CREATE or ATTACH)"),
    ];

    /// <inheritdoc />
    public override ProbeOutcome Probe(VdevDevice device)
    {
        foreach (var p in KvArgs.Parse(device.Args).Pairs)
        {
            var parts = (p.Value ?? string.Empty).Split(':');
            if (parts.Length != 3 || parts[0].Length == 0 || !int.TryParse(parts[1], out _) || parts[2] is not ("CREATE" or "ATTACH"))
                throw new DeviceProbeException($"{device.Name}: nodeaction='{p.Value}': expected name:node:action with action CREATE or ATTACH, e.g. nodeaction=r0:0:CREATE");
        }
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    public override void Remove(VdevDevice device) { }
}

using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Devargs;

namespace Eal.Net.Null;

/// <summary>
/// The <c>net_null</c> vdev driver's declaration: its name, alias and DPDK's parameters
/// (<c>size</c>, <c>copy</c>, <c>no-rx</c>). Probe checks the parameter values; the ethdev port it creates
/// arrives with the ethdev class.
/// </summary>
public sealed class NullPmd : VdevDriver
{
    /// <inheritdoc />
    public override string Name => "net_null";

    /// <inheritdoc />
    public override IReadOnlyList<string> Aliases => ["eth_null"];

    /// <inheritdoc />
    public override IReadOnlyList<DriverParameter> Parameters { get; } =
    [
        new("size", "<int>", "packet size in bytes (default 64)"),
        new("copy", "<int>", "1 to copy packet data on rx/tx (default 0)"),
        new("no-rx", "<int>", "1 to receive nothing (default 0)"),
    ];

    /// <inheritdoc />
    public override ProbeOutcome Probe(VdevDevice device)
    {
        var kv = KvArgs.Parse(device.Args);
        foreach (var p in kv.Pairs)
        {
            if (p.Value is null || !uint.TryParse(p.Value, out uint v))
                throw new DeviceProbeException($"{device.Name}: {p.Key}='{p.Value}' is not a non-negative integer");
            if (p.Key is "copy" or "no-rx" && v > 1)
                throw new DeviceProbeException($"{device.Name}: {p.Key}={v}: expected 0 or 1");
        }
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    public override void Remove(VdevDevice device) { }
}

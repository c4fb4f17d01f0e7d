using System.Globalization;
using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Devargs;
using Eal.Ethdev;

namespace Eal.Net.Null;

/// <summary>
/// The <c>net_null</c> vdev driver (DPDK's <c>drivers/net/null</c>): each device gets one port whose Rx hands out
/// freshly allocated mbufs of <c>size</c> bytes and whose Tx frees what it is given. Parameters: <c>size</c>
/// (packet size, default 64), <c>copy</c> (1: copy a dummy packet into/out of each mbuf), <c>no-rx</c> (1: Rx
/// returns nothing). <c>copy</c> and <c>no-rx</c> cannot be combined (as in DPDK).
/// </summary>
public sealed class NullPmd : VdevDriver
{
    private readonly EthdevRegistry _registry;

    /// <summary>Creates the driver for the ports of <paramref name="registry"/>.</summary>
    public NullPmd(EthdevRegistry registry) => _registry = registry;

    /// <summary>DPDK's default packet size.</summary>
    public const uint DefaultPacketSize = 64;

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

    /// <summary>Parses and checks the device arguments.</summary>
    /// <exception cref="DeviceProbeException">A value is invalid; the message names it and what is valid.</exception>
    public static NullOptions ParseOptions(string deviceName, string args)
    {
        KvArgs kv;
        try
        {
            kv = KvArgs.Parse(args);
        }
        catch (DevargsException ex)
        {
            throw new DeviceProbeException($"{deviceName}: bad arguments \"{args}\": {ex.Message}", ex);
        }
        uint size = DefaultPacketSize;
        bool copy = false, noRx = false;
        foreach (var p in kv.Pairs)
        {
            if (p.Value is null || !uint.TryParse(p.Value, NumberStyles.None, CultureInfo.InvariantCulture, out uint v))
                throw new DeviceProbeException($"{deviceName}: {p.Key}='{p.Value}' is not a non-negative integer");
            switch (p.Key)
            {
                case "size":
                    if (v > ushort.MaxValue)
                        throw new DeviceProbeException($"{deviceName}: size={v} is too large; an mbuf segment holds at most {ushort.MaxValue} bytes");
                    size = v;
                    break;
                case "copy":
                case "no-rx":
                    if (v > 1) throw new DeviceProbeException($"{deviceName}: {p.Key}={v}: expected 0 or 1");
                    if (p.Key == "copy") copy = v == 1;
                    else noRx = v == 1;
                    break;
                default:
                    throw new DeviceProbeException($"{deviceName}: driver net_null has no parameter '{p.Key}'; valid: size=<int> copy=<int> no-rx=<int>");
            }
        }
        if (copy && noRx)
            throw new DeviceProbeException($"{deviceName}: copy=1 and no-rx=1 cannot be used together (DPDK refuses the combination); choose one");
        return new NullOptions(size, copy, noRx);
    }

    /// <inheritdoc />
    public override ProbeOutcome Probe(VdevDevice device)
    {
        var options = ParseOptions(device.Name, device.Args);
        try
        {
            CreatePort(device.Name, options, device);
        }
        catch (EthdevException ex)
        {
            throw new DeviceProbeException($"{device.Name}: {ex.Message}", ex);
        }
        return ProbeOutcome.Probed;
    }

    /// <summary>Creates a null port without a device (DPDK's <c>rte_vdev_init("net_null...")</c> equivalent for tests and apps).</summary>
    /// <exception cref="EthdevException">The name is taken or no port id is free.</exception>
    public EthPort CreatePort(string name, NullOptions options, Device? device = null)
    {
        var port = _registry.Allocate(name, new NullPortOps(options), device, numaNode: device?.NumaNode ?? Device.NumaNodeAny);
        return port;
    }

    /// <inheritdoc />
    public override void Remove(VdevDevice device)
    {
        foreach (var port in _registry.PortsOf(device)) port.StopAndClose();
    }
}

/// <summary>The <c>net_null</c> parameters of one device.</summary>
/// <param name="PacketSize">Bytes per received packet (<c>size</c>).</param>
/// <param name="Copy">Copy a dummy packet on Rx and copy packet data out on Tx (<c>copy</c>).</param>
/// <param name="NoRx">Rx returns nothing (<c>no-rx</c>).</param>
public sealed record NullOptions(uint PacketSize = NullPmd.DefaultPacketSize, bool Copy = false, bool NoRx = false);

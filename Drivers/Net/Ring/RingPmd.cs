using System.Globalization;
using Eal.Bus;
using Eal.Bus.Vdev;
using Eal.Devargs;
using Eal.Ethdev;
using Eal.Memory.Rings;

namespace Eal.Net.Ring;

/// <summary>What a <c>nodeaction</c> entry asks for.</summary>
public enum RingNodeAction
{
    /// <summary>Create the named rings (attach when they already exist, as DPDK does).</summary>
    Create,
    /// <summary>Use rings created earlier under that name.</summary>
    Attach,
}

/// <summary>One <c>nodeaction=name:node:action</c> entry.</summary>
/// <param name="Name">The ring-set name (and the port name).</param>
/// <param name="Node">The NUMA node.</param>
/// <param name="Action">Create or attach.</param>
public sealed record RingNodeActionEntry(string Name, int Node, RingNodeAction Action);

/// <summary>
/// The <c>net_ring</c> vdev driver (DPDK's <c>drivers/net/ring</c>): ports whose Rx queues dequeue from rings and
/// whose Tx queues enqueue to rings. Without arguments a device gets one port over
/// <see cref="RingsPerSet"/> rings named <c>ETH_RXTX&lt;i&gt;_&lt;device&gt;</c>, queue i receiving what queue i
/// sends. Each <c>nodeaction=name:node:CREATE|ATTACH</c> creates a port named <c>name</c> over the ring set
/// <c>name</c> (ATTACH: a set some earlier port created; the port is then named <c>&lt;device&gt;_&lt;name&gt;</c>
/// when <c>name</c> is taken). <see cref="CreatePort"/> is DPDK's <c>rte_eth_from_rings</c>. The ring-set names
/// belong to this driver instance (one per EAL instance).
/// </summary>
public sealed class RingPmd : VdevDriver
{
    /// <summary>Rings per set (DPDK's <c>RTE_PMD_RING_MAX_RX_RINGS</c>/<c>_TX_RINGS</c>).</summary>
    public const int RingsPerSet = 16;

    /// <summary>Slots per created ring (DPDK creates 1024-entry rings).</summary>
    public const uint RingSize = 1024;

    private readonly object _gate = new();
    private readonly EthdevRegistry _registry;
    private readonly Dictionary<string, RingSet> _sets = new(StringComparer.Ordinal);

    /// <summary>Creates the driver for the ports of <paramref name="registry"/>.</summary>
    public RingPmd(EthdevRegistry registry) => _registry = registry;

    /// <inheritdoc />
    public override string Name => "net_ring";

    /// <inheritdoc />
    public override IReadOnlyList<string> Aliases => ["eth_ring"];

    /// <inheritdoc />
    public override IReadOnlyList<DriverParameter> Parameters { get; } =
    [
        new("nodeaction", "[name:node:action]", "create or attach a port over the named ring on a NUMA node (action CREATE or ATTACH)"),
    ];

    /// <summary>Names of the ring sets alive in this driver instance.</summary>
    public IReadOnlyList<string> RingSetNames
    {
        get { lock (_gate) return _sets.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    /// <summary>The rings of set <paramref name="name"/> (DPDK's <c>rte_ring_lookup("ETH_RXTX&lt;i&gt;_&lt;name&gt;")</c>), or null.</summary>
    public IReadOnlyList<Memory.Rings.Ring>? FindRingSet(string name)
    {
        lock (_gate) return _sets.TryGetValue(name, out var set) ? set.Rings : null;
    }

    /// <summary>Parses the <c>nodeaction</c> entries of a device's arguments.</summary>
    /// <exception cref="DeviceProbeException">An entry is malformed; the message shows the expected form.</exception>
    public static IReadOnlyList<RingNodeActionEntry> ParseNodeActions(string deviceName, string args)
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
        var list = new List<RingNodeActionEntry>();
        foreach (var p in kv.Pairs)
        {
            if (p.Key != "nodeaction")
                throw new DeviceProbeException($"{deviceName}: driver net_ring has no parameter '{p.Key}'; valid: nodeaction=[name:node:action]");
            var parts = (p.Value ?? string.Empty).Split(':');
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int node)
                || parts[2] is not ("CREATE" or "ATTACH"))
                throw new DeviceProbeException($"{deviceName}: nodeaction='{p.Value}': expected name:node:action with action CREATE or ATTACH, e.g. nodeaction=r0:0:CREATE");
            list.Add(new RingNodeActionEntry(parts[0], node, parts[2] == "CREATE" ? RingNodeAction.Create : RingNodeAction.Attach));
        }
        return list;
    }

    /// <inheritdoc />
    public override ProbeOutcome Probe(VdevDevice device)
    {
        var actions = ParseNodeActions(device.Name, device.Args);
        if (actions.Count == 0) actions = [new RingNodeActionEntry(device.Name, device.NumaNode, RingNodeAction.Create)];
        var created = new List<EthPort>();
        try
        {
            foreach (var a in actions) created.Add(CreateOverSet(device, a));
        }
        catch (Exception ex) when (ex is EthdevException or DeviceProbeException)
        {
            foreach (var port in created) port.StopAndClose();
            throw ex as DeviceProbeException ?? new DeviceProbeException($"{device.Name}: {ex.Message}", ex);
        }
        return ProbeOutcome.Probed;
    }

    private EthPort CreateOverSet(Device device, RingNodeActionEntry a)
    {
        RingSet set;
        lock (_gate)
        {
            if (!_sets.TryGetValue(a.Name, out set!))
            {
                if (a.Action == RingNodeAction.Attach)
                    throw new DeviceProbeException($"{device.Name}: nodeaction={a.Name}:{a.Node}:ATTACH: no rings named {a.Name} exist; create them first with nodeaction={a.Name}:{a.Node}:CREATE");
                set = RingSet.Create(a.Name);
                _sets.Add(a.Name, set);
            }
            set.Users++;
        }
        try
        {
            string portName = _registry.FindByName(a.Name) is null ? a.Name : $"{device.Name}_{a.Name}";
            return AllocateOver(portName, new RingPortOps(set.Rings, set.Rings, () => ReleaseSet(set)), device, a.Node);
        }
        catch
        {
            ReleaseSet(set);
            throw;
        }
    }

    private void ReleaseSet(RingSet set)
    {
        lock (_gate)
        {
            if (--set.Users > 0) return;
            _sets.Remove(set.Name);
        }
        // Mbufs still in the rings belong to the application (as in DPDK); drain before closing the last port.
        foreach (var r in set.Rings) r.Dispose();
    }

    /// <summary>
    /// Creates a port over caller rings (DPDK's <c>rte_eth_from_rings</c>): Rx queue i dequeues from
    /// <paramref name="rxRings"/>[i], Tx queue i enqueues to <paramref name="txRings"/>[i]. The caller keeps
    /// ownership of the rings and must keep them alive until the port is closed.
    /// </summary>
    /// <exception cref="ArgumentException">No rings, or more than <see cref="EthdevRegistry.MaxQueuesPerPort"/>.</exception>
    /// <exception cref="EthdevException">The name is taken or no port id is free.</exception>
    public EthPort CreatePort(string name, IReadOnlyList<Memory.Rings.Ring> rxRings, IReadOnlyList<Memory.Rings.Ring> txRings, int numaNode = Device.NumaNodeAny)
    {
        ArgumentNullException.ThrowIfNull(rxRings);
        ArgumentNullException.ThrowIfNull(txRings);
        if (rxRings.Count == 0 || txRings.Count == 0 || rxRings.Count > EthdevRegistry.MaxQueuesPerPort || txRings.Count > EthdevRegistry.MaxQueuesPerPort)
            throw new ArgumentException($"port '{name}': needs 1..{EthdevRegistry.MaxQueuesPerPort} Rx rings and Tx rings, got {rxRings.Count} and {txRings.Count}");
        return AllocateOver(name, new RingPortOps(rxRings.ToArray(), txRings.ToArray(), null), null, numaNode);
    }

    private EthPort AllocateOver(string name, RingPortOps ops, Device? device, int numaNode)
    {
        try
        {
            return _registry.Allocate(name, ops, device, numaNode: numaNode);
        }
        catch
        {
            ops.Free(notifyOwner: false);
            throw;
        }
    }

    /// <inheritdoc />
    public override void Remove(VdevDevice device)
    {
        foreach (var port in _registry.PortsOf(device)) port.StopAndClose();
    }

    private sealed class RingSet
    {
        private RingSet(string name, Memory.Rings.Ring[] rings)
        {
            Name = name;
            Rings = rings;
        }

        public string Name { get; }

        public Memory.Rings.Ring[] Rings { get; }

        public int Users { get; set; }

        public static RingSet Create(string name)
        {
            var rings = new List<Memory.Rings.Ring>(RingsPerSet);
            try
            {
                for (int i = 0; i < RingsPerSet; i++)
                    rings.Add(Memory.Rings.Ring.Create($"ETH_RXTX{i}_{name}", RingSize, RingFlags.SingleProducer | RingFlags.SingleConsumer));
            }
            catch
            {
                foreach (var r in rings) r.Dispose();
                throw;
            }
            return new RingSet(name, rings.ToArray());
        }
    }
}

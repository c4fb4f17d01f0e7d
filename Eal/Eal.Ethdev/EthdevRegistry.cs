using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Eal.Bus;
using Eal.Devargs;
using Eal.Events;
using Eal.Memory.Mbufs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Eal.Ethdev;

/// <summary>
/// The ports of one EAL instance (DPDK's <c>rte_eth_devices[]</c> plus <c>rte_eth_fp_ops[]</c>): port ids, lookup
/// by name or devargs filter, link-status events, and the flat native fast-path table the burst calls index.
/// One registry per EAL instance (a DI singleton, see <c>AddEthdev</c>); nothing is static.
/// </summary>
public sealed unsafe class EthdevRegistry : IDisposable
{
    /// <summary>Most ports (DPDK's default <c>RTE_MAX_ETHPORTS</c>).</summary>
    public const int MaxPorts = 32;

    /// <summary>Most queues of each direction per port (<c>RTE_MAX_QUEUES_PER_PORT</c>).</summary>
    public const int MaxQueuesPerPort = 1024;

    private readonly object _gate = new();
    private readonly EthPort?[] _ports = new EthPort?[MaxPorts];
    private readonly EventHub<LinkEvent> _linkEvents = new();
    private readonly ILogger _log;
    private EthFpOps* _fp;
    private nint* _queueData;
    private bool _disposed;

    /// <summary>Creates an empty registry with its fast-path table.</summary>
    public EthdevRegistry(ILoggerFactory? loggerFactory = null)
    {
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("lib.ethdev");
        _fp = (EthFpOps*)NativeMemory.AlignedAlloc((nuint)(sizeof(EthFpOps) * MaxPorts), 64);
        _queueData = (nint*)NativeMemory.AllocZeroed((nuint)MaxPorts * 2 * MaxQueuesPerPort, (nuint)sizeof(nint));
        for (int i = 0; i < MaxPorts; i++)
        {
            EthFpOps* p = _fp + i;
            *p = default;
            p->RxqData = _queueData + ((nuint)i * 2 * MaxQueuesPerPort);
            p->TxqData = p->RxqData + MaxQueuesPerPort;
            p->SetStopped();
        }
    }

    /// <summary>The data-path handle: copy it into lcore loops.</summary>
    public EthFastPath FastPath
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new EthFastPath(_fp);
        }
    }

    /// <summary>Receives a burst (see <see cref="EthFastPath.RxBurst"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort RxBurst(ushort portId, ushort queueId, Mbuf** pkts, ushort n) => new EthFastPath(_fp).RxBurst(portId, queueId, pkts, n);

    /// <summary>Sends a burst (see <see cref="EthFastPath.TxBurst"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort TxBurst(ushort portId, ushort queueId, Mbuf** pkts, ushort n) => new EthFastPath(_fp).TxBurst(portId, queueId, pkts, n);

    /// <summary>Prepares a burst for Tx (see <see cref="EthFastPath.TxPrepare"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort TxPrepare(ushort portId, ushort queueId, Mbuf** pkts, ushort n) => new EthFastPath(_fp).TxPrepare(portId, queueId, pkts, n);

    // ---- ports --------------------------------------------------------------------------------

    /// <summary>
    /// For drivers: allocates the lowest free port id for a new port (DPDK's <c>rte_eth_dev_allocate</c>). The port
    /// starts unconfigured with its link down.
    /// </summary>
    /// <param name="name">Unique port name (usually the device name).</param>
    /// <param name="ops">The driver's operations.</param>
    /// <param name="device">The device the port belongs to, if any.</param>
    /// <param name="macAddress">The default MAC address; null for a random locally administered one.</param>
    /// <param name="numaNode">NUMA node of the port, or -1.</param>
    /// <exception cref="EthdevException">The name is taken or every port id is in use.</exception>
    public EthPort Allocate(string name, EthDeviceOps ops, Device? device = null, MacAddress? macAddress = null, int numaNode = Device.NumaNodeAny)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(ops);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var p in _ports)
                if (p is not null && p.Name == name)
                    throw new EthdevException($"cannot create port '{name}': {p} already has that name; port names are unique");
            int id = Array.IndexOf(_ports, null);
            if (id < 0)
                throw new EthdevException($"cannot create port '{name}': all {MaxPorts} port ids (RTE_MAX_ETHPORTS) are in use; close a port first");
            var port = new EthPort(this, (ushort)id, name, ops, device, macAddress ?? MacAddress.Random(), numaNode);
            _ports[id] = port;
            EthFpOps* fp = _fp + id;
            fp->SetStopped();
            fp->NbRxQueues = 0;
            fp->NbTxQueues = 0;
            fp->InUse = 1;
            _log.LogDebug("Allocated {Port} for {Device}", port.ToString(), device?.ToString() ?? "(no device)");
            return port;
        }
    }

    /// <summary>Ports in use, by port id.</summary>
    public IReadOnlyList<EthPort> Ports
    {
        get
        {
            lock (_gate) return _ports.Where(p => p is not null).Select(p => p!).ToArray();
        }
    }

    /// <summary>Number of ports in use (DPDK's <c>rte_eth_dev_count_avail</c>).</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _ports.Count(p => p is not null);
        }
    }

    /// <summary>The port with id <paramref name="portId"/>.</summary>
    /// <exception cref="EthdevException">No such port; the message lists the valid ids.</exception>
    public EthPort GetPort(ushort portId) => TryGetPort(portId, out var port)
        ? port
        : throw new EthdevException($"port {portId} does not exist; valid port ids: {ValidIds()}");

    /// <summary>Looks a port up by id (DPDK's <c>rte_eth_dev_is_valid_port</c>).</summary>
    public bool TryGetPort(ushort portId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EthPort? port)
    {
        lock (_gate)
        {
            port = portId < MaxPorts ? _ports[portId] : null;
            return port is not null;
        }
    }

    /// <summary>The port named <paramref name="name"/>, or null (DPDK's <c>rte_eth_dev_get_port_by_name</c>).</summary>
    public EthPort? FindByName(string name)
    {
        lock (_gate) return _ports.FirstOrDefault(p => p is not null && p.Name == name);
    }

    /// <summary>The ports created for <paramref name="device"/> (DPDK's <c>RTE_ETH_FOREACH_DEV_OF</c>).</summary>
    public IReadOnlyList<EthPort> PortsOf(Device device)
    {
        lock (_gate) return _ports.Where(p => p is not null && ReferenceEquals(p.Device, device)).Select(p => p!).ToArray();
    }

    private string ValidIds()
    {
        lock (_gate)
        {
            var ids = _ports.Where(p => p is not null).Select(p => p!.PortId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return ids.Length == 0 ? "none (no port is allocated)" : string.Join(", ", ids);
        }
    }

    /// <summary>
    /// The ports matching a devargs filter (DPDK's <c>rte_eth_iterator_init</c>/<c>RTE_ETH_FOREACH_MATCHING_DEV</c>):
    /// layers separated by <c>/</c>; a bus layer <c>bus=vdev[,name=net_null0]</c> matches the port's device, a class
    /// layer <c>class=eth[,mac=02:00:00:00:00:01]</c> the port itself. At least one layer is needed.
    /// </summary>
    /// <exception cref="DevargsException">The filter does not parse, names another class, or uses an unknown key.</exception>
    public IReadOnlyList<EthPort> Find(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        string? bus = null, deviceName = null;
        MacAddress? mac = null;
        bool any = false;
        foreach (var layer in filter.Split('/'))
        {
            var kv = KvArgs.Parse(layer);
            if (kv.Pairs.Count == 0)
                throw new DevargsException($"'{filter}': empty layer; expected bus=<name>[,name=<device>] and/or class=eth[,mac=<address>]");
            var first = kv.Pairs[0];
            if (first.Key == "bus")
            {
                bus = first.Value;
                for (int i = 1; i < kv.Pairs.Count; i++)
                {
                    var p = kv.Pairs[i];
                    if (p.Key != "name")
                        throw new DevargsException($"'{filter}': unknown key '{p.Key}' in the bus layer; valid: name");
                    deviceName = p.Value;
                }
            }
            else if (first.Key == "class")
            {
                if (first.Value != "eth")
                    throw new DevargsException($"'{filter}': class '{first.Value}' is not handled by ethdev; use class=eth");
                for (int i = 1; i < kv.Pairs.Count; i++)
                {
                    var p = kv.Pairs[i];
                    if (p.Key != "mac")
                        throw new DevargsException($"'{filter}': unknown key '{p.Key}' in the eth class layer; valid: mac");
                    if (!MacAddress.TryParse(p.Value, out var m))
                        throw new DevargsException($"'{filter}': mac='{p.Value}' is not a MAC address; expected XX:XX:XX:XX:XX:XX");
                    mac = m;
                }
            }
            else
            {
                throw new DevargsException($"'{filter}': layer '{layer}' is neither a bus layer (bus=...) nor a class layer (class=eth,...)");
            }
            any = true;
        }
        if (!any)
            throw new DevargsException($"'{filter}': needs a bus or class layer, e.g. class=eth,mac=02:00:00:00:00:01");
        return Ports.Where(p =>
            (bus is null || (p.Device is { } d && d.Bus.Name == bus && (deviceName is null || d.Bus.DeviceNamesEqual(d.Name, deviceName))))
            && (mac is null || p.MacAddress == mac.Value)).ToArray();
    }

    // ---- link events --------------------------------------------------------------------------

    /// <summary>Starts receiving link-status changes of every port. Dispose the subscription to stop.</summary>
    public EventSubscription<LinkEvent> SubscribeLinkEvents() => _linkEvents.Subscribe();

    internal void PublishLink(LinkEvent e)
    {
        _log.LogInformation("Port {Port} ({Name}): {Link}", e.PortId, e.PortName, e.Current.ToString());
        _linkEvents.Publish(e);
    }

    // ---- fast-path table maintenance (called under the port's lock) ---------------------------

    internal void SetQueueCounts(ushort portId, ushort rx, ushort tx)
    {
        EthFpOps* p = _fp + portId;
        p->NbRxQueues = rx;
        p->NbTxQueues = tx;
    }

    internal void PublishFastPath(ushort portId, EthBurstFunctions burst, nint[] rxQueues, nint[] txQueues)
    {
        EthFpOps* p = _fp + portId;
        for (int i = 0; i < rxQueues.Length; i++) p->RxqData[i] = rxQueues[i];
        for (int i = 0; i < txQueues.Length; i++) p->TxqData[i] = txQueues[i];
        p->NbRxQueues = (ushort)rxQueues.Length;
        p->NbTxQueues = (ushort)txQueues.Length;
        // Queue data first, functions last: a reader sees either the dummies or a complete entry.
        Volatile.Write(ref p->Started, 1);
        p->TxPktPrepare = burst.TxPrepare != null ? burst.TxPrepare : &EthFpOps.PassPrepare;
        p->TxPktBurst = burst.Tx;
        p->RxPktBurst = burst.Rx;
        Thread.MemoryBarrier();
    }

    internal void RetractFastPath(ushort portId)
    {
        EthFpOps* p = _fp + portId;
        p->SetStopped();
        Thread.MemoryBarrier();
        new Span<nint>(p->RxqData, MaxQueuesPerPort).Clear();
        new Span<nint>(p->TxqData, MaxQueuesPerPort).Clear();
    }

    internal void Release(EthPort port)
    {
        lock (_gate)
        {
            if (_disposed || !ReferenceEquals(_ports[port.PortId], port)) return;
            RetractFastPath(port.PortId);
            EthFpOps* p = _fp + port.PortId;
            p->InUse = 0;
            p->NbRxQueues = 0;
            p->NbTxQueues = 0;
            _ports[port.PortId] = null;
            _log.LogDebug("Released {Port}", port.ToString());
        }
    }

    /// <summary>Stops and closes every port still open, completes link subscriptions, frees the table.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        foreach (var port in Ports)
        {
            try { port.StopAndClose(); }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogError("Closing {Port} failed: {Reason}", port.ToString(), ex.Message);
            }
        }
        lock (_gate)
        {
            _disposed = true;
            NativeMemory.AlignedFree(_fp);
            NativeMemory.Free(_queueData);
            _fp = null;
            _queueData = null;
        }
        _linkEvents.Dispose();
    }
}

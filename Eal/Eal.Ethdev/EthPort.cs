using System.Globalization;
using Eal.Bus;
using Eal.Memory.Mbufs;

namespace Eal.Ethdev;

/// <summary>Where a port is in its life (DPDK keeps the same facts in <c>dev_configured</c>/<c>dev_started</c>/<c>state</c>).</summary>
public enum EthPortState
{
    /// <summary>Allocated by a driver (or reset); call <see cref="EthPort.Configure"/>.</summary>
    Unconfigured,
    /// <summary>Configured (or stopped); queues can be set up, the port can start.</summary>
    Configured,
    /// <summary>Started: the fast-path table points at the driver's burst functions.</summary>
    Started,
    /// <summary>Closed: the port id is free again; every operation is refused.</summary>
    Closed,
}

/// <summary>
/// An Ethernet port (DPDK's <c>rte_eth_dev</c> as seen through the <c>rte_eth_dev_*</c> API): created by a driver
/// through <see cref="EthdevRegistry.Allocate"/>, then configured, given queues, started, stopped and closed by the
/// application. Control-path methods are thread-safe (one lock per port); the data path is
/// <see cref="EthdevRegistry.FastPath"/>.
/// </summary>
public sealed class EthPort
{
    private readonly object _gate = new();
    private readonly EthdevRegistry _registry;
    private readonly EthDeviceOps _ops;
    private nint[] _rxQueues = [];
    private nint[] _txQueues = [];
    private LinkStatus _link;
    private EthPortState _state;

    internal EthPort(EthdevRegistry registry, ushort portId, string name, EthDeviceOps ops, Device? device, MacAddress mac, int numaNode)
    {
        _registry = registry;
        PortId = portId;
        Name = name;
        _ops = ops;
        Device = device;
        MacAddress = mac;
        NumaNode = numaNode;
        Mtu = DefaultMtu;
    }

    /// <summary>DPDK's default MTU (<c>RTE_ETHER_MTU</c>).</summary>
    public const ushort DefaultMtu = 1500;

    /// <summary>DPDK's fallback ring size when neither the caller nor the driver gives one.</summary>
    public const ushort FallbackRingSize = 512;

    /// <summary>The port id: the index into the fast-path table.</summary>
    public ushort PortId { get; }

    /// <summary>The port name (unique in its registry).</summary>
    public string Name { get; }

    /// <summary>The device the port belongs to, or null for ports created by API (e.g. over caller rings).</summary>
    public Device? Device { get; }

    /// <summary>The NUMA node of the port's memory, or -1.</summary>
    public int NumaNode { get; }

    /// <summary>Driver-private state (DPDK's <c>dev_private</c>); ethdev never reads it.</summary>
    public object? DriverData { get; set; }

    /// <summary>The registry the port belongs to.</summary>
    public EthdevRegistry Registry => _registry;

    /// <summary>The life-cycle state.</summary>
    public EthPortState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>True while started.</summary>
    public bool IsStarted => State == EthPortState.Started;

    /// <summary>The driver name from <see cref="Info"/>.</summary>
    public string DriverName => _ops.GetInfo(this).DriverName;

    /// <summary>What the port can do (DPDK's <c>rte_eth_dev_info_get</c>).</summary>
    public EthDevInfo Info => _ops.GetInfo(this);

    /// <summary>The configuration given to <see cref="Configure"/>, or null before.</summary>
    public EthConf? Configuration { get; private set; }

    /// <summary>Configured Rx queue count.</summary>
    public ushort RxQueueCount
    {
        get { lock (_gate) return (ushort)_rxQueues.Length; }
    }

    /// <summary>Configured Tx queue count.</summary>
    public ushort TxQueueCount
    {
        get { lock (_gate) return (ushort)_txQueues.Length; }
    }

    /// <summary>The default MAC address.</summary>
    public MacAddress MacAddress { get; private set; }

    /// <summary>The MTU.</summary>
    public ushort Mtu { get; private set; }

    /// <summary>Promiscuous mode.</summary>
    public bool Promiscuous { get; private set; }

    /// <summary>All-multicast mode.</summary>
    public bool AllMulticast { get; private set; }

    /// <summary>The last link status reported (no driver call; see <see cref="GetLink"/>).</summary>
    public LinkStatus Link
    {
        get { lock (_gate) return _link; }
    }

    /// <inheritdoc />
    public override string ToString() => $"port {PortId} ({Name})";

    // ---- configuration ------------------------------------------------------------------------

    /// <summary>
    /// Configures queue counts, offloads and MTU (DPDK's <c>rte_eth_dev_configure</c>). Zero Rx and Tx queues
    /// means one of each. Reconfiguring keeps queues below the new counts and releases the others.
    /// </summary>
    /// <exception cref="EthdevException">The port is started or closed, or a count/offload/MTU is outside <see cref="Info"/>.</exception>
    public void Configure(ushort rxQueues, ushort txQueues, EthConf? conf = null)
    {
        conf ??= new EthConf();
        lock (_gate)
        {
            EnsureOpen("Configure");
            if (_state == EthPortState.Started)
                throw new EthdevException($"{this}: cannot configure a started port; call Stop() first");
            var info = _ops.GetInfo(this);
            if (rxQueues == 0 && txQueues == 0)
            {
                rxQueues = 1;
                txQueues = 1;
            }
            CheckQueueCount("Rx", rxQueues, info.MaxRxQueues);
            CheckQueueCount("Tx", txQueues, info.MaxTxQueues);
            if ((conf.RxOffloads & ~info.RxOffloadCapabilities) != 0)
                throw new EthdevException($"{this}: Rx offloads {conf.RxOffloads & ~info.RxOffloadCapabilities} are not supported; the device supports {FormatFlags(info.RxOffloadCapabilities)}");
            if ((conf.TxOffloads & ~info.TxOffloadCapabilities) != 0)
                throw new EthdevException($"{this}: Tx offloads {conf.TxOffloads & ~info.TxOffloadCapabilities} are not supported; the device supports {FormatFlags(info.TxOffloadCapabilities)}");
            ushort mtu = conf.Mtu == 0 ? DefaultMtu : conf.Mtu;
            CheckMtu(mtu, info);

            _ops.Configure(this, conf);

            _rxQueues = Resize(_rxQueues, rxQueues, rx: true);
            _txQueues = Resize(_txQueues, txQueues, rx: false);
            Mtu = mtu;
            Configuration = conf;
            _state = EthPortState.Configured;
            _registry.SetQueueCounts(PortId, rxQueues, txQueues);
        }
    }

    private void CheckQueueCount(string kind, ushort requested, ushort max)
    {
        if (requested > EthdevRegistry.MaxQueuesPerPort)
            throw new EthdevException($"{this}: {requested} {kind} queues requested; at most {EthdevRegistry.MaxQueuesPerPort} per port (RTE_MAX_QUEUES_PER_PORT)");
        if (requested > max)
            throw new EthdevException($"{this}: {requested} {kind} queues requested; the device has at most {max}");
    }

    private void CheckMtu(ushort mtu, EthDevInfo info)
    {
        if (mtu < info.MinMtu) throw new EthdevException($"{this}: MTU {mtu} is below the device minimum {info.MinMtu} (valid {info.MinMtu}..{info.MaxMtu})");
        if (mtu > info.MaxMtu) throw new EthdevException($"{this}: MTU {mtu} is above the device maximum {info.MaxMtu} (valid {info.MinMtu}..{info.MaxMtu})");
    }

    private static string FormatFlags<T>(T flags) where T : struct, Enum =>
        Convert.ToUInt64(flags, CultureInfo.InvariantCulture) == 0 ? "none" : flags.ToString();

    private nint[] Resize(nint[] queues, ushort count, bool rx)
    {
        if (queues.Length == count) return queues;
        for (int i = count; i < queues.Length; i++) ReleaseQueue(queues, i, rx);
        var resized = new nint[count];
        Array.Copy(queues, resized, Math.Min(count, queues.Length));
        return resized;
    }

    private void ReleaseQueue(nint[] queues, int index, bool rx)
    {
        nint q = queues[index];
        if (q == 0) return;
        queues[index] = 0;
        if (rx) _ops.ReleaseRxQueue(this, q);
        else _ops.ReleaseTxQueue(this, q);
    }

    /// <summary>
    /// Sets up Rx queue <paramref name="queueId"/> (DPDK's <c>rte_eth_rx_queue_setup</c>); a queue already set up is
    /// released first. <paramref name="descriptors"/> 0 takes the driver's preferred size (or 512).
    /// </summary>
    /// <exception cref="EthdevException">The port is not configured, started or closed; the queue id, descriptor count,
    /// offloads or pool do not fit the device.</exception>
    public void SetupRxQueue(ushort queueId, ushort descriptors, PktMbufPool pool, RxQueueConfig? config = null, int socket = Device.NumaNodeAny)
    {
        ArgumentNullException.ThrowIfNull(pool);
        config ??= new RxQueueConfig();
        lock (_gate)
        {
            var info = CheckQueueSetup("Rx", queueId, _rxQueues.Length);
            descriptors = CheckDescriptors("Rx", descriptors, info.DefaultRxRingSize, info.RxDescriptorLimits);
            if ((config.Offloads & ~info.RxOffloadCapabilities) != 0)
                throw new EthdevException($"{this}: Rx queue {queueId} offloads {config.Offloads & ~info.RxOffloadCapabilities} are not supported; the device supports {FormatFlags(info.RxOffloadCapabilities)}");
            uint room = pool.DataRoomSize;
            if (room < Mbuf.DefaultHeadroom + info.MinRxBufferSize)
                throw new EthdevException($"{this}: mbuf pool '{pool.Name}' has a data room of {room} bytes; Rx queue {queueId} needs at least {Mbuf.DefaultHeadroom + info.MinRxBufferSize} (headroom {Mbuf.DefaultHeadroom} + the device's minimum buffer {info.MinRxBufferSize})");
            ReleaseQueue(_rxQueues, queueId, rx: true);
            nint q = _ops.SetupRxQueue(this, queueId, descriptors, socket == Device.NumaNodeAny ? NumaNode : socket, config, pool);
            if (q == 0) throw new EthdevException($"{this}: driver {info.DriverName} returned no Rx queue {queueId}");
            _rxQueues[queueId] = q;
        }
    }

    /// <summary>
    /// Sets up Tx queue <paramref name="queueId"/> (DPDK's <c>rte_eth_tx_queue_setup</c>); a queue already set up is
    /// released first. <paramref name="descriptors"/> 0 takes the driver's preferred size (or 512).
    /// </summary>
    /// <exception cref="EthdevException">As <see cref="SetupRxQueue"/>.</exception>
    public void SetupTxQueue(ushort queueId, ushort descriptors, TxQueueConfig? config = null, int socket = Device.NumaNodeAny)
    {
        config ??= new TxQueueConfig();
        lock (_gate)
        {
            var info = CheckQueueSetup("Tx", queueId, _txQueues.Length);
            descriptors = CheckDescriptors("Tx", descriptors, info.DefaultTxRingSize, info.TxDescriptorLimits);
            if ((config.Offloads & ~info.TxOffloadCapabilities) != 0)
                throw new EthdevException($"{this}: Tx queue {queueId} offloads {config.Offloads & ~info.TxOffloadCapabilities} are not supported; the device supports {FormatFlags(info.TxOffloadCapabilities)}");
            ReleaseQueue(_txQueues, queueId, rx: false);
            nint q = _ops.SetupTxQueue(this, queueId, descriptors, socket == Device.NumaNodeAny ? NumaNode : socket, config);
            if (q == 0) throw new EthdevException($"{this}: driver {info.DriverName} returned no Tx queue {queueId}");
            _txQueues[queueId] = q;
        }
    }

    private EthDevInfo CheckQueueSetup(string kind, ushort queueId, int count)
    {
        EnsureOpen($"Setup{kind}Queue");
        if (_state == EthPortState.Unconfigured)
            throw new EthdevException($"{this}: cannot set up {kind} queue {queueId} before Configure(); configure the queue counts first");
        if (_state == EthPortState.Started)
            throw new EthdevException($"{this}: cannot set up {kind} queue {queueId} while the port is started; call Stop() first");
        if (queueId >= count)
            throw new EthdevException($"{this}: {kind} queue {queueId} does not exist; the port is configured with {count} {kind} queue{(count == 1 ? "" : "s")} (0..{count - 1})");
        return _ops.GetInfo(this);
    }

    private ushort CheckDescriptors(string kind, ushort descriptors, ushort preferred, DescriptorLimits lim)
    {
        if (descriptors == 0) descriptors = preferred != 0 ? preferred : FallbackRingSize;
        ushort align = Math.Max((ushort)1, lim.Align);
        if (descriptors > lim.Max || descriptors < lim.Min || descriptors % align != 0)
            throw new EthdevException($"{this}: {descriptors} {kind} descriptors is invalid; the device needs <= {lim.Max}, >= {lim.Min} and a multiple of {align}");
        return descriptors;
    }

    // ---- start / stop / close / reset ---------------------------------------------------------

    /// <summary>
    /// Starts the port (DPDK's <c>rte_eth_dev_start</c>): every configured queue must be set up; the fast-path
    /// table then points at the driver's burst functions. Starting a started port does nothing.
    /// </summary>
    /// <exception cref="EthdevException">Not configured, a queue is not set up, closed, or the driver failed.</exception>
    public unsafe void Start()
    {
        lock (_gate)
        {
            EnsureOpen("Start");
            if (_state == EthPortState.Started) return;
            if (_state == EthPortState.Unconfigured)
                throw new EthdevException($"{this}: cannot start before Configure(); configure, set up the queues, then start");
            CheckAllSetUp(_rxQueues, "Rx");
            CheckAllSetUp(_txQueues, "Tx");
            var burst = _ops.GetBurstFunctions(this);
            if (burst.Rx == null || burst.Tx == null)
                throw new EthdevException($"{this}: driver {DriverName} gave no Rx or Tx burst function");
            _ops.Start(this);
            _registry.PublishFastPath(PortId, burst, _rxQueues, _txQueues);
            _state = EthPortState.Started;
        }
    }

    private void CheckAllSetUp(nint[] queues, string kind)
    {
        for (int i = 0; i < queues.Length; i++)
            if (queues[i] == 0)
                throw new EthdevException($"{this}: {kind} queue {i} is not set up; call Setup{kind}Queue({i}, ...) before Start()");
    }

    /// <summary>
    /// Stops the port (DPDK's <c>rte_eth_dev_stop</c>): bursts return 0 from now on. Stop the lcores polling the
    /// port first, as in DPDK. Stopping a stopped port does nothing.
    /// </summary>
    public void Stop()
    {
        lock (_gate)
        {
            EnsureOpen("Stop");
            if (_state != EthPortState.Started) return;
            _registry.RetractFastPath(PortId);
            _state = EthPortState.Configured;
            _ops.Stop(this);
        }
    }

    /// <summary>
    /// Closes the port (DPDK's <c>rte_eth_dev_close</c>): releases its queues and driver state and frees the port id.
    /// Closing a closed port does nothing.
    /// </summary>
    /// <exception cref="EthdevException">The port is started; stop it first.</exception>
    public void Close()
    {
        lock (_gate)
        {
            if (_state == EthPortState.Closed) return;
            if (_state == EthPortState.Started)
                throw new EthdevException($"{this}: cannot close a started port; call Stop() first");
            CloseCore();
        }
    }

    /// <summary>Stops (if started) and closes the port: what a driver does when its device is removed.</summary>
    public void StopAndClose()
    {
        lock (_gate)
        {
            if (_state == EthPortState.Closed) return;
            if (_state == EthPortState.Started)
            {
                _registry.RetractFastPath(PortId);
                _state = EthPortState.Configured;
                _ops.Stop(this);
            }
            CloseCore();
        }
    }

    private void CloseCore()
    {
        try
        {
            ReleaseAllQueues();
            _ops.Close(this);
        }
        finally
        {
            _state = EthPortState.Closed;
            _registry.Release(this);
        }
    }

    private void ReleaseAllQueues()
    {
        for (int i = 0; i < _rxQueues.Length; i++) ReleaseQueue(_rxQueues, i, rx: true);
        for (int i = 0; i < _txQueues.Length; i++) ReleaseQueue(_txQueues, i, rx: false);
    }

    /// <summary>
    /// Resets the port (DPDK's <c>rte_eth_dev_reset</c>): stops it, releases its queues, lets the driver reset the
    /// device, and leaves it unconfigured; configure and set up queues again before starting.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            EnsureOpen("Reset");
            if (_state == EthPortState.Started)
            {
                _registry.RetractFastPath(PortId);
                _state = EthPortState.Configured;
                _ops.Stop(this);
            }
            ReleaseAllQueues();
            _rxQueues = [];
            _txQueues = [];
            _registry.SetQueueCounts(PortId, 0, 0);
            Configuration = null;
            _state = EthPortState.Unconfigured;
            _ops.Reset(this);
        }
    }

    // ---- modes and addresses ------------------------------------------------------------------

    /// <summary>Turns promiscuous mode on or off (DPDK's <c>rte_eth_promiscuous_enable/disable</c>).</summary>
    public void SetPromiscuous(bool enable)
    {
        lock (_gate)
        {
            EnsureOpen("SetPromiscuous");
            if (Promiscuous == enable) return;
            _ops.SetPromiscuous(this, enable);
            Promiscuous = enable;
        }
    }

    /// <summary>Turns all-multicast mode on or off (DPDK's <c>rte_eth_allmulticast_enable/disable</c>).</summary>
    public void SetAllMulticast(bool enable)
    {
        lock (_gate)
        {
            EnsureOpen("SetAllMulticast");
            if (AllMulticast == enable) return;
            _ops.SetAllMulticast(this, enable);
            AllMulticast = enable;
        }
    }

    /// <summary>Sets the default MAC address (DPDK's <c>rte_eth_dev_default_mac_addr_set</c>).</summary>
    /// <exception cref="EthdevException">The address is zero or multicast.</exception>
    public void SetMacAddress(MacAddress address)
    {
        lock (_gate)
        {
            EnsureOpen("SetMacAddress");
            if (!address.IsValidAssigned)
                throw new EthdevException($"{this}: {address} cannot be a port address; it must be unicast (first octet even) and not all zero");
            _ops.SetMacAddress(this, address);
            MacAddress = address;
        }
    }

    /// <summary>Sets the MTU (DPDK's <c>rte_eth_dev_set_mtu</c>).</summary>
    /// <exception cref="EthdevException">The MTU is outside the device's range.</exception>
    public void SetMtu(ushort mtu)
    {
        lock (_gate)
        {
            EnsureOpen("SetMtu");
            CheckMtu(mtu, _ops.GetInfo(this));
            _ops.SetMtu(this, mtu);
            Mtu = mtu;
        }
    }

    // ---- link ---------------------------------------------------------------------------------

    /// <summary>Asks the driver for the link (DPDK's <c>rte_eth_link_get</c>, or <c>_nowait</c> when <paramref name="wait"/> is false).</summary>
    public LinkStatus GetLink(bool wait = true)
    {
        LinkStatus link;
        lock (_gate)
        {
            EnsureOpen("GetLink");
            link = _ops.UpdateLink(this, wait);
        }
        ReportLink(link);
        return link;
    }

    /// <summary>Sets the link up (DPDK's <c>rte_eth_dev_set_link_up</c>).</summary>
    /// <exception cref="NotSupportedException">The driver cannot.</exception>
    public void SetLinkUp()
    {
        lock (_gate)
        {
            EnsureOpen("SetLinkUp");
            _ops.SetLinkUp(this);
        }
    }

    /// <summary>Sets the link down (DPDK's <c>rte_eth_dev_set_link_down</c>).</summary>
    /// <exception cref="NotSupportedException">The driver cannot.</exception>
    public void SetLinkDown()
    {
        lock (_gate)
        {
            EnsureOpen("SetLinkDown");
            _ops.SetLinkDown(this);
        }
    }

    /// <summary>
    /// For drivers: records the link status and, when it changed, publishes a <see cref="LinkEvent"/> to the
    /// registry's subscribers (DPDK's <c>rte_eth_linkstatus_set</c> + <c>RTE_ETH_EVENT_INTR_LSC</c>).
    /// </summary>
    /// <returns>True when the status changed.</returns>
    public bool ReportLink(LinkStatus link)
    {
        LinkStatus previous;
        lock (_gate)
        {
            previous = _link;
            if (previous == link) return false;
            _link = link;
        }
        _registry.PublishLink(new LinkEvent(PortId, Name, previous, link));
        return true;
    }

    // ---- statistics ---------------------------------------------------------------------------

    /// <summary>Reads the basic statistics (DPDK's <c>rte_eth_stats_get</c>).</summary>
    public EthStats GetStats()
    {
        var stats = new EthStats();
        lock (_gate)
        {
            EnsureOpen("GetStats");
            _ops.GetStats(this, stats);
        }
        return stats;
    }

    /// <summary>Zeroes the statistics (DPDK's <c>rte_eth_stats_reset</c>).</summary>
    public void ResetStats()
    {
        lock (_gate)
        {
            EnsureOpen("ResetStats");
            _ops.ResetStats(this);
        }
    }

    /// <summary>
    /// The extended statistics names (DPDK's <c>rte_eth_xstats_get_names</c>): the generic ones
    /// (<c>rx_good_packets</c>, ..., <c>rx_q0_packets</c>, ..., <c>tx_q0_bytes</c>) then the driver's.
    /// </summary>
    public IReadOnlyList<string> GetXStatNames()
    {
        lock (_gate)
        {
            EnsureOpen("GetXStatNames");
            return XStatNamesCore();
        }
    }

    private List<string> XStatNamesCore()
    {
        var names = new List<string>(GenericXStatNames);
        int rxq = Math.Min(_rxQueues.Length, EthStats.QueueStatCounters);
        int txq = Math.Min(_txQueues.Length, EthStats.QueueStatCounters);
        for (int q = 0; q < rxq; q++)
        {
            names.Add($"rx_q{q}_packets");
            names.Add($"rx_q{q}_bytes");
            names.Add($"rx_q{q}_errors");
        }
        for (int q = 0; q < txq; q++)
        {
            names.Add($"tx_q{q}_packets");
            names.Add($"tx_q{q}_bytes");
        }
        names.AddRange(_ops.GetXStatNames(this));
        return names;
    }

    private static readonly string[] GenericXStatNames =
    [
        "rx_good_packets", "tx_good_packets", "rx_good_bytes", "tx_good_bytes",
        "rx_missed_errors", "rx_errors", "tx_errors", "rx_mbuf_allocation_errors",
    ];

    /// <summary>The extended statistics with their names (DPDK's <c>rte_eth_xstats_get</c>).</summary>
    public IReadOnlyList<EthXStat> GetXStats()
    {
        lock (_gate)
        {
            EnsureOpen("GetXStats");
            var names = XStatNamesCore();
            var s = new EthStats();
            _ops.GetStats(this, s);
            var values = new List<ulong> { s.IPackets, s.OPackets, s.IBytes, s.OBytes, s.IMissed, s.IErrors, s.OErrors, s.RxNoMbuf };
            int rxq = Math.Min(_rxQueues.Length, EthStats.QueueStatCounters);
            int txq = Math.Min(_txQueues.Length, EthStats.QueueStatCounters);
            for (int q = 0; q < rxq; q++)
            {
                values.Add(s.QueueIPackets[q]);
                values.Add(s.QueueIBytes[q]);
                values.Add(s.QueueErrors[q]);
            }
            for (int q = 0; q < txq; q++)
            {
                values.Add(s.QueueOPackets[q]);
                values.Add(s.QueueOBytes[q]);
            }
            var driver = new ulong[names.Count - values.Count];
            _ops.GetXStats(this, driver);
            values.AddRange(driver);
            var result = new EthXStat[names.Count];
            for (int i = 0; i < result.Length; i++) result[i] = new EthXStat((uint)i, names[i], values[i]);
            return result;
        }
    }

    private void EnsureOpen(string operation)
    {
        if (_state == EthPortState.Closed)
            throw new EthdevException($"{this}: {operation} on a closed port; the port id may now belong to another port — look it up again");
    }
}

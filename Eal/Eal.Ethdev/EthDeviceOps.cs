using Eal.Memory.Mbufs;

namespace Eal.Ethdev;

/// <summary>
/// What a PMD implements for its ports (DPDK's <c>struct eth_dev_ops</c> plus the burst functions). Control-path
/// operations are virtual calls made by <see cref="EthPort"/> after it has validated the request and under the
/// port's lock; the data path goes through <see cref="GetBurstFunctions"/> and the per-queue data pointers the
/// queue-setup calls return.
/// </summary>
public abstract class EthDeviceOps
{
    /// <summary>What the port can do. Called at allocation and whenever the port needs limits.</summary>
    public abstract EthDevInfo GetInfo(EthPort port);

    /// <summary>Applies a validated configuration (queue counts and offloads are within <see cref="GetInfo"/>).</summary>
    /// <exception cref="EthdevException">The driver refuses the configuration.</exception>
    public virtual void Configure(EthPort port, EthConf conf) { }

    /// <summary>Creates Rx queue <paramref name="queueId"/> and returns its data pointer (non-zero), passed to the Rx burst function.</summary>
    public abstract nint SetupRxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, RxQueueConfig config, PktMbufPool pool);

    /// <summary>Releases an Rx queue created by <see cref="SetupRxQueue"/>.</summary>
    public abstract void ReleaseRxQueue(EthPort port, nint queue);

    /// <summary>Creates Tx queue <paramref name="queueId"/> and returns its data pointer (non-zero), passed to the Tx burst function.</summary>
    public abstract nint SetupTxQueue(EthPort port, ushort queueId, ushort descriptors, int socket, TxQueueConfig config);

    /// <summary>Releases a Tx queue created by <see cref="SetupTxQueue"/>.</summary>
    public abstract void ReleaseTxQueue(EthPort port, nint queue);

    /// <summary>The burst functions the fast-path table uses while the port is started (asked at each start).</summary>
    public abstract EthBurstFunctions GetBurstFunctions(EthPort port);

    /// <summary>Starts the device; a driver typically reports the link up with <see cref="EthPort.ReportLink"/>.</summary>
    public virtual void Start(EthPort port) { }

    /// <summary>Stops the device; a driver typically reports the link down.</summary>
    public virtual void Stop(EthPort port) { }

    /// <summary>Releases driver state of a port being closed (queues are already released).</summary>
    public virtual void Close(EthPort port) { }

    /// <summary>Resets the device (DPDK's <c>dev_reset</c>); the port returns to the unconfigured state afterwards.</summary>
    public virtual void Reset(EthPort port) { }

    /// <summary>Reads the link; <paramref name="wait"/> asks to wait for completion (DPDK's <c>link_update</c>).</summary>
    /// <returns>The current link; ethdev publishes an event when it differs from the last one.</returns>
    public virtual LinkStatus UpdateLink(EthPort port, bool wait) => port.Link;

    /// <summary>Sets the link administratively up (DPDK's <c>dev_set_link_up</c>).</summary>
    /// <exception cref="NotSupportedException">The driver cannot.</exception>
    public virtual void SetLinkUp(EthPort port) => throw new NotSupportedException($"{port}: driver {GetInfo(port).DriverName} cannot set the link up");

    /// <summary>Sets the link administratively down (DPDK's <c>dev_set_link_down</c>).</summary>
    /// <exception cref="NotSupportedException">The driver cannot.</exception>
    public virtual void SetLinkDown(EthPort port) => throw new NotSupportedException($"{port}: driver {GetInfo(port).DriverName} cannot set the link down");

    /// <summary>Turns promiscuous mode on or off.</summary>
    public virtual void SetPromiscuous(EthPort port, bool enable) { }

    /// <summary>Turns all-multicast mode on or off.</summary>
    public virtual void SetAllMulticast(EthPort port, bool enable) { }

    /// <summary>Sets the MTU (already checked against <see cref="EthDevInfo.MinMtu"/>/<see cref="EthDevInfo.MaxMtu"/>).</summary>
    public virtual void SetMtu(EthPort port, ushort mtu) { }

    /// <summary>Sets the default MAC address (already checked to be a unicast, non-zero address).</summary>
    public virtual void SetMacAddress(EthPort port, MacAddress address) { }

    /// <summary>Fills <paramref name="stats"/> (all zero on entry) from the driver's counters.</summary>
    public abstract void GetStats(EthPort port, EthStats stats);

    /// <summary>Zeroes the driver's counters.</summary>
    public abstract void ResetStats(EthPort port);

    /// <summary>Names of driver-specific xstats, appended after ethdev's generic ones.</summary>
    public virtual IReadOnlyList<string> GetXStatNames(EthPort port) => [];

    /// <summary>Values of the driver-specific xstats, in <see cref="GetXStatNames"/> order.</summary>
    public virtual void GetXStats(EthPort port, Span<ulong> values) { }
}

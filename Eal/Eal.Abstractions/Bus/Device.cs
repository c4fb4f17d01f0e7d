using Eal.Devargs;

namespace Eal.Bus;

/// <summary>A device found by a bus (DPDK's <c>struct rte_device</c>). Each bus has its own subclass.</summary>
public abstract class Device
{
    /// <summary>Creates a device on <paramref name="bus"/>.</summary>
    protected Device(Bus bus, string name, int numaNode = NumaNodeAny)
    {
        Bus = bus;
        Name = name;
        NumaNode = numaNode;
    }

    /// <summary>DPDK's <c>SOCKET_ID_ANY</c>: the device has no NUMA affinity.</summary>
    public const int NumaNodeAny = -1;

    /// <summary>The bus the device sits on.</summary>
    public Bus Bus { get; }

    /// <summary>The device name as the bus normalises it.</summary>
    public string Name { get; }

    /// <summary>The NUMA node, or <see cref="NumaNodeAny"/>.</summary>
    public int NumaNode { get; protected internal set; }

    /// <summary>The devargs entry that names this device, if any.</summary>
    public DeviceArguments? Devargs { get; protected internal set; }

    /// <summary>The driver bound to the device, or null when it is not probed.</summary>
    public Driver? Driver { get; protected internal set; }

    /// <summary>True when a driver has probed the device.</summary>
    public bool IsProbed => Driver is not null;

    /// <inheritdoc />
    public override string ToString() => $"{Bus.Name}:{Name}";
}

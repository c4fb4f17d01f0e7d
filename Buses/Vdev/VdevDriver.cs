using Eal.Bus;
using Eal.Devargs;

namespace Eal.Bus.Vdev;

/// <summary>
/// A driver for virtual devices (DPDK's <c>rte_vdev_driver</c>). It matches devices whose name starts
/// with its <see cref="Driver.Name"/> or one of its <see cref="Driver.Aliases"/> (<c>net_null0</c> → <c>net_null</c>).
/// </summary>
public abstract class VdevDriver : Driver
{
    /// <summary>Creates the device's resources (ports). Return <see cref="ProbeOutcome.Declined"/> to let another driver try.</summary>
    /// <exception cref="DeviceProbeException">The device cannot be created; the message says why.</exception>
    public abstract ProbeOutcome Probe(VdevDevice device);

    /// <summary>Releases everything <see cref="Probe"/> created.</summary>
    public abstract void Remove(VdevDevice device);

    /// <summary>Whether this driver's name or an alias is a prefix of <paramref name="deviceName"/>.</summary>
    public bool Matches(string deviceName)
    {
        if (deviceName.StartsWith(Name, StringComparison.Ordinal)) return true;
        foreach (var alias in Aliases)
            if (deviceName.StartsWith(alias, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The DPDK parameter string (<c>size=&lt;int&gt; copy=&lt;int&gt;</c>) shown in help.</summary>
    public string ParameterString => string.Join(' ', Parameters);
}

/// <summary>A virtual device created from <c>--vdev</c> or at run time.</summary>
public sealed class VdevDevice : Device
{
    internal VdevDevice(VdevBus bus, DeviceArguments devargs) : base(bus, devargs.Name) => Devargs = devargs;

    /// <summary>The driver arguments (text after the name), empty when none.</summary>
    public string Args => Devargs?.Args ?? string.Empty;
}

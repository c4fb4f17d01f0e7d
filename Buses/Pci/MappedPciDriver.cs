using Eal.Bus.Pci.Vfio;

namespace Eal.Bus.Pci;

/// <summary>
/// A <see cref="DriverFlags.NeedMapping"/> PCI driver that keeps one device object per probed function: probe refuses a
/// function the bus did not map, creates and starts the object, and <see cref="Find"/> returns it by PCI address until
/// removal stops it. Drivers of register-level devices (edu, e1000e) derive from it and only say how to start and stop.
/// </summary>
/// <typeparam name="TDevice">The driver's per-function object.</typeparam>
public abstract class MappedPciDriver<TDevice> : PciDriver
    where TDevice : class
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TDevice> _devices = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override DriverFlags Flags => DriverFlags.NeedMapping;

    /// <summary>The probed devices.</summary>
    public IReadOnlyList<TDevice> Devices
    {
        get { lock (_lock) return _devices.Values.ToArray(); }
    }

    /// <summary>The probed device named <paramref name="name"/> (a PCI address), or null.</summary>
    public TDevice? Find(string name)
    {
        lock (_lock) return _devices.GetValueOrDefault(name);
    }

    /// <summary>Creates the object of <paramref name="device"/> over its mapping and starts it (checks, enables interrupts).</summary>
    /// <exception cref="DeviceProbeException">The function does not behave as the driver needs; the message says why.</exception>
    protected abstract TDevice Start(PciDevice device, PciMappedDevice mapping);

    /// <summary>Stops <paramref name="device"/> (masks and disables its interrupts) before the bus unmaps it.</summary>
    protected abstract void Stop(TDevice device);

    /// <inheritdoc />
    public override ProbeOutcome Probe(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var mapping = device.Mapping
            ?? throw new DeviceProbeException($"{device.Name}: {Name} needs the device's BARs mapped through VFIO; bind it to vfio-pci and start EAL with VFIO available");
        var started = Start(device, mapping);
        lock (_lock) _devices[device.Name] = started;
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    public override void Remove(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        TDevice? removed;
        lock (_lock)
        {
            if (!_devices.Remove(device.Name, out removed)) return;
        }
        Stop(removed);
    }
}

using Eal.Bus;
using Eal.Bus.Pci;

namespace Eal.Dma.Edu;

/// <summary>
/// The driver of the edu DMA test device (1234:11e8: QEMU's edu, and the emulated <c>EduDeviceModel</c>). It needs
/// mapping: the PCI bus maps BAR0 through VFIO and prepares an interrupt; the driver checks the device answers, enables
/// the interrupt and exposes an <see cref="EduDevice"/> per function. Register with <c>services.AddPciDriver&lt;EduDriver&gt;()</c>.
/// </summary>
public sealed class EduDriver : PciDriver
{
    private readonly object _lock = new();
    private readonly Dictionary<string, EduDevice> _devices = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override string Name => "dma_edu";

    /// <inheritdoc />
    public override DriverFlags Flags => DriverFlags.NeedMapping;

    /// <inheritdoc />
    public override IReadOnlyList<PciId> IdTable { get; } = [PciId.Device(EduDevice.VendorId, EduDevice.DeviceId)];

    /// <summary>The probed devices.</summary>
    public IReadOnlyList<EduDevice> Devices
    {
        get { lock (_lock) return _devices.Values.ToArray(); }
    }

    /// <summary>The probed device named <paramref name="name"/> (a PCI address), or null.</summary>
    public EduDevice? Find(string name)
    {
        lock (_lock) return _devices.GetValueOrDefault(name);
    }

    /// <inheritdoc />
    public override ProbeOutcome Probe(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var mapping = device.Mapping
            ?? throw new DeviceProbeException($"{device.Name}: {Name} needs BAR0 mapped through VFIO; bind the device to vfio-pci and start EAL with VFIO available");
        var edu = new EduDevice(device.Name, mapping);
        edu.Start();
        lock (_lock) _devices[device.Name] = edu;
        return ProbeOutcome.Probed;
    }

    /// <inheritdoc />
    public override void Remove(PciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        EduDevice? edu;
        lock (_lock)
        {
            if (!_devices.Remove(device.Name, out edu)) return;
        }
        edu.Stop();
    }
}

using Eal.Bus.Pci;
using Eal.Bus.Pci.Vfio;

namespace Eal.Net.E1000e;

/// <summary>
/// The driver of Intel's 82574L (8086:10d3: QEMU's <c>e1000e</c>, and the emulated <c>E1000eDeviceModel</c>). It needs
/// mapping: the PCI bus maps the BARs through VFIO and prepares an interrupt (MSI-X when the kernel offers it); the driver
/// masks the device's interrupts, reads and checks the NVM (MAC address, checksum), enables every interrupt vector and
/// exposes an <see cref="E1000eDevice"/> per function. Register with <c>services.AddE1000e()</c>.
/// </summary>
public sealed class E1000eDriver : MappedPciDriver<E1000eDevice>
{
    /// <inheritdoc />
    public override string Name => "net_e1000e";

    /// <inheritdoc />
    public override IReadOnlyList<PciId> IdTable { get; } = [PciId.Device(E1000eDevice.VendorId, E1000eDevice.DeviceId)];

    /// <inheritdoc />
    protected override E1000eDevice Start(PciDevice device, PciMappedDevice mapping)
    {
        ArgumentNullException.ThrowIfNull(device);
        var nic = new E1000eDevice(device.Name, mapping);
        nic.Start();
        return nic;
    }

    /// <inheritdoc />
    protected override void Stop(E1000eDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.Stop();
    }
}

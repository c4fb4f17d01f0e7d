using Eal.Bus.Pci;
using Eal.Bus.Pci.Vfio;

namespace Eal.Dma.Edu;

/// <summary>
/// The driver of the edu DMA test device (1234:11e8: QEMU's edu, and the emulated <c>EduDeviceModel</c>). It needs
/// mapping: the PCI bus maps BAR0 through VFIO and prepares an interrupt; the driver checks the device answers, enables
/// the interrupt and exposes an <see cref="EduDevice"/> per function. Register with <c>services.AddPciDriver&lt;EduDriver&gt;()</c>.
/// </summary>
public sealed class EduDriver : MappedPciDriver<EduDevice>
{
    /// <inheritdoc />
    public override string Name => "dma_edu";

    /// <inheritdoc />
    public override IReadOnlyList<PciId> IdTable { get; } = [PciId.Device(EduDevice.VendorId, EduDevice.DeviceId)];

    /// <inheritdoc />
    protected override EduDevice Start(PciDevice device, PciMappedDevice mapping)
    {
        ArgumentNullException.ThrowIfNull(device);
        var edu = new EduDevice(device.Name, mapping);
        edu.Start();
        return edu;
    }

    /// <inheritdoc />
    protected override void Stop(EduDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.Stop();
    }
}

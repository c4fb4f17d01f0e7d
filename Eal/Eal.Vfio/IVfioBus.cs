using Eal.Platform;

namespace Eal.Vfio;

/// <summary>
/// A bus whose drivers may need VFIO mapping (PCI, platform, fslmc). EAL hands it the instance's VFIO manager
/// once memory is mapped, before probing.
/// </summary>
public interface IVfioBus
{
    /// <summary>Gives the bus the VFIO manager and kernel it maps devices with, and the <c>--vfio-intr</c> choice.</summary>
    void UseVfio(VfioManager vfio, IKernel kernel, VfioInterruptMode interrupts);
}

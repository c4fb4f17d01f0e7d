namespace Eal.Vfio.Tests.Conformance;

// Every case class has two twins (the convention Tests/Eal.RealKernel.Runner relies on): Emulated<Base> always runs;
// Real<Base> runs where the machine has the function bound to vfio-pci in that mode (inside eng/vm/run-vm.sh) and is
// ignored with the reason otherwise.

[TestFixture]
public sealed class EmulatedType1Conformance : Type1Conformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture]
public sealed class RealType1Conformance : Type1Conformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

[TestFixture]
public sealed class EmulatedNoIommuConformance : NoIommuConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture]
public sealed class RealNoIommuConformance : NoIommuConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

[TestFixture]
public sealed class EmulatedIommufdConformance : IommufdConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture]
public sealed class RealIommufdConformance : IommufdConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

[TestFixture(VfioFlavour.Group)]
[TestFixture(VfioFlavour.Cdev)]
[TestFixture(VfioFlavour.NoIommu)]
public sealed class EmulatedDeviceConformance(VfioFlavour flavour) : DeviceConformance(flavour)
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture(VfioFlavour.Group)]
[TestFixture(VfioFlavour.Cdev)]
[TestFixture(VfioFlavour.NoIommu)]
public sealed class RealDeviceConformance(VfioFlavour flavour) : DeviceConformance(flavour)
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

[TestFixture]
public sealed class EmulatedPciConfigConformance : PciConfigConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture]
public sealed class RealPciConfigConformance : PciConfigConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

[TestFixture(VfioFlavour.Group)]
[TestFixture(VfioFlavour.Cdev)]
[TestFixture(VfioFlavour.NoIommu)]
public sealed class EmulatedE1000eConformance(VfioFlavour flavour) : E1000eConformance(flavour)
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateEmulated(out reason);
}

[TestFixture(VfioFlavour.Group)]
[TestFixture(VfioFlavour.Cdev)]
[TestFixture(VfioFlavour.NoIommu)]
public sealed class RealE1000eConformance(VfioFlavour flavour) : E1000eConformance(flavour)
{
    protected override ConformanceTarget? CreateTarget(out string reason) => CreateReal(out reason);
}

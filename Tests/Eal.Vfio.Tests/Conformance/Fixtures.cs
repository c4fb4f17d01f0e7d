namespace Eal.Vfio.Tests.Conformance;

// One concrete fixture per kernel and flavour. The emulated ones always run; the real ones run where the machine
// has VFIO (inside /work/shared/vm/run-vm.sh) and are ignored with the reason otherwise.

[TestFixture]
public sealed class EmulatedType1Conformance : Type1Conformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) { reason = string.Empty; return new EmulatedTarget(Flavour); }
}

[TestFixture]
public sealed class RealType1Conformance : Type1Conformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => RealTarget.TryCreate(Flavour, out reason);
}

[TestFixture]
public sealed class EmulatedNoIommuConformance : NoIommuConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) { reason = string.Empty; return new EmulatedTarget(Flavour); }
}

[TestFixture]
public sealed class RealNoIommuConformance : NoIommuConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => RealTarget.TryCreate(Flavour, out reason);
}

[TestFixture]
public sealed class EmulatedIommufdConformance : IommufdConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) { reason = string.Empty; return new EmulatedTarget(Flavour); }
}

[TestFixture]
public sealed class RealIommufdConformance : IommufdConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => RealTarget.TryCreate(Flavour, out reason);
}

[TestFixture]
public sealed class EmulatedDeviceConformance : DeviceConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) { reason = string.Empty; return new EmulatedTarget(Flavour); }
}

[TestFixture]
public sealed class RealDeviceConformance : DeviceConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => RealTarget.TryCreate(Flavour, out reason);
}

[TestFixture]
public sealed class EmulatedPciConfigConformance : PciConfigConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) { reason = string.Empty; return new EmulatedTarget(Flavour); }
}

[TestFixture]
public sealed class RealPciConfigConformance : PciConfigConformance
{
    protected override ConformanceTarget? CreateTarget(out string reason) => RealTarget.TryCreate(Flavour, out reason);
}

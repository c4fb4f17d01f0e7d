using System.Buffers.Binary;
using System.Net.NetworkInformation;
using Eal.Bus.Pci;
using Eal.Emulation.Devices;
using Eal.Net.E1000e;
using Eal.Vfio;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Eal.Drivers.Tests;

/// <summary>
/// The e1000e driver through EAL, the PCI bus and VFIO, written once for QEMU 7.2's e1000e on the real kernel (in the
/// VM) and for <see cref="E1000eDeviceModel"/> on the emulated one: the same observable behaviour on both.
/// </summary>
public abstract class E1000eDriverCases(KernelKind kind, VfioMode mode)
{
    private const uint StatusLinkUp = 1u << 1, StatusFullDuplex = 1u << 0;
    private DriverTarget _target = null!;

    private E1000eDevice Nic => _target.Pci.Drivers.OfType<E1000eDriver>().Single().Find(_target.Device.Name)
        ?? throw new AssertionException($"{_target.Device.Name}: the e1000e driver did not probe it");

    [SetUp]
    public void StartEal() =>
        _target = DriverTarget.Start(kind, mode, E1000eDevice.VendorId, E1000eDevice.DeviceId, E1000eDeviceModel.SpecKey, s => s.AddE1000e());

    [TearDown]
    public void StopEal() => _target?.Dispose();

    [Test]
    public void ProbeReadsAValidNvmAndTheMacAddress()
    {
        Assert.That(_target.Pci.GetVfioMode(_target.Device), Is.EqualTo(mode));
        Assert.That(Nic.IsNvmChecksumValid(), Is.True, "NVM words 0..0x3f sum to 0xbaba");
        var mac = Nic.MacAddress.GetAddressBytes();
        Assert.That(mac, Has.Length.EqualTo(6));
        Assert.That(mac[0] & 1, Is.Zero, "a unicast address");
        Assert.That(Nic.ReceiveAddress, Is.EqualTo(Nic.MacAddress), "RAL0/RAH0 hold the NVM's address at power-on");
        Assert.That(Nic.ReadRegister(E1000eDevice.Registers.Rah0) >> 31, Is.EqualTo(1u), "RAH0's address-valid bit");
    }

    [Test]
    public void EerdReportsDoneWithTheWordAndItsAddress()
    {
        Nic.WriteRegister(E1000eDevice.Registers.Eerd, (1u << 2) | 1);
        uint eerd = Nic.ReadRegister(E1000eDevice.Registers.Eerd);
        Assert.That(eerd & 0xFFFF, Is.EqualTo((1u << 2) | 2), "address 1 echoed, DONE set, START clear");
        Assert.That((ushort)(eerd >> 16), Is.EqualTo(BinaryPrimitives.ReadUInt16LittleEndian(Nic.MacAddress.GetAddressBytes().AsSpan(2))));
        Nic.WriteRegister(E1000eDevice.Registers.Eerd, 0x40u << 2 | 1);
        Assert.That(Nic.ReadRegister(E1000eDevice.Registers.Eerd), Is.EqualTo(0x40u << 2), "a word past the 64-word NVM never completes");
    }

    [Test]
    public void StatusReadsTheSameThroughMemoryAndTheIoPort()
    {
        uint status = Nic.Status;
        Assert.That(status & (StatusLinkUp | StatusFullDuplex), Is.EqualTo(StatusLinkUp | StatusFullDuplex), $"link up, full duplex (STATUS 0x{status:x8})");
        Assert.That(Nic.ReadRegisterThroughIoPort(E1000eDevice.Registers.Status), Is.EqualTo(status));
        Assert.That(Nic.ReadRegisterThroughIoPort(E1000eDevice.Registers.Ral0), Is.EqualTo(Nic.ReadRegister(E1000eDevice.Registers.Ral0)));
    }

    [Test]
    public void IoPortWritesReachTheRegisterFile()
    {
        Nic.WriteRegisterThroughIoPort(E1000eDevice.Registers.Ivar, 0x000C_BA98);
        Assert.That(Nic.ReadRegister(E1000eDevice.Registers.Ivar), Is.EqualTo(0x000C_BA98u));
        Nic.WriteRegister(E1000eDevice.Registers.Ivar, 0);
        Assert.That(Nic.ReadRegisterThroughIoPort(E1000eDevice.Registers.Ivar), Is.Zero);
    }

    [Test]
    public void OptionRomHasAValidImageForThisDevice()
    {
        Assert.That(Nic.RomSize, Is.EqualTo(256u * 1024), "QEMU's e1000e ROM BAR is 256 KiB");
        var image = Nic.ReadOptionRomImage();
        Assert.That(image.ClassCode, Is.EqualTo(0x020000u), "an Ethernet controller's ROM");
        Assert.That(image.ImageLength, Is.GreaterThan(0));
    }

    [Test]
    public void MsixIsInUseWithEveryVectorAndItsTableReadableThroughTheMapping()
    {
        Assert.That(Nic.InterruptIndex, Is.EqualTo(2), "MSI-X is preferred when the kernel offers it");
        Assert.That(Nic.InterruptVectors, Is.EqualTo(5));
        var mapping = _target.Device.Mapping!;
        var bar3 = mapping.Bar(E1000eDevice.MsixBar);
        Assert.That(bar3.Region.MsixMappable, Is.True, "vfio-pci reports BAR3 MSIX_MAPPABLE");
        Assert.That(bar3.IsMapped(0, bar3.Size), Is.True, "so the bus maps BAR3 whole");
        for (int v = 0; v < 5; v++)
            Assert.That(Nic.ReadMsixTableEntry(v).Masked, Is.False, $"vector {v} is unmasked once enabled");
        Span<byte> control = stackalloc byte[4];
        mapping.Vfio.ReadRegion(bar3.Region, 12, control);
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(control), Is.EqualTo(uint.MaxValue), "pread of the MSI-X table reads all ones: the kernel keeps it to itself");
    }

    [TestCase(E1000eCause.RxQueue0, 0)]
    [TestCase(E1000eCause.RxQueue1, 1)]
    [TestCase(E1000eCause.TxQueue0, 2)]
    [TestCase(E1000eCause.TxQueue1, 3)]
    [TestCase(E1000eCause.Other, 4)]
    [TestCase(E1000eCause.TxQueue0, 4)]
    [TestCase(E1000eCause.Other, 0)]
    public void CauseSignalsExactlyItsMappedVector(E1000eCause cause, int vector)
    {
        Nic.RouteCause(cause, vector);
        Assert.That(Nic.FireCause(cause), Is.EqualTo(new[] { (vector, 1ul) }));
        Assert.That(Nic.FireCause(cause), Is.EqualTo(new[] { (vector, 1ul) }), "auto-cleared, so it fires again");
    }

    [Test]
    public void EveryCauseOnItsOwnVector()
    {
        for (int i = 0; i < 5; i++) Nic.RouteCause((E1000eCause)i, 4 - i);
        for (int i = 0; i < 5; i++)
            Assert.That(Nic.FireCause((E1000eCause)i), Is.EqualTo(new[] { (4 - i, 1ul) }), $"{(E1000eCause)i} on vector {4 - i}");
    }

    [Test]
    public void EveryVectorIsThrottledAtTheProgrammedInterval()
    {
        for (int v = 0; v < Nic.InterruptVectors; v++)
            Assert.That(Nic.ReadRegister(E1000eDevice.Registers.Eitr0 + 4 * v), Is.EqualTo(E1000eDevice.ThrottleRegisterValue), $"EITR{v}");
        Assert.That(E1000eDevice.ThrottleInterval, Is.EqualTo(TimeSpan.FromMicroseconds(128)), "500 x 256 ns");
        Assert.That(Nic.InterruptQuietTime, Is.GreaterThan(E1000eDevice.ThrottleInterval));
    }

    [Test]
    public void FiringAgainWaitsOutTheQuietTimeSoNothingIsThrottled()
    {
        Nic.InterruptQuietTime = TimeSpan.FromMilliseconds(100);
        Nic.RouteCause(E1000eCause.RxQueue0, 0);
        // Started before the first firing, whose interrupt the quiet time is counted from: a lower bound that holds
        // however slowly the rest of the first call runs.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(Nic.FireCause(E1000eCause.RxQueue0), Is.EqualTo(new[] { (0, 1ul) }));
        Assert.That(Nic.FireCause(E1000eCause.RxQueue0), Is.EqualTo(new[] { (0, 1ul) }));
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(Nic.InterruptQuietTime), "the second ICS waited out the quiet time");
        Thread.Sleep(10 * E1000eDevice.ThrottleInterval);
        Assert.That(Nic.DrainInterrupts(), Is.Empty, "and no postponed duplicate followed");
    }

    [Test]
    public void AnInvalidIvarFieldSignalsNothing()
    {
        Nic.RouteCause(E1000eCause.RxQueue1, 1);
        Nic.WriteRegister(E1000eDevice.Registers.Ivar, Nic.ReadRegister(E1000eDevice.Registers.Ivar) & ~(0x8u << 4));
        Assert.That(Nic.FireCause(E1000eCause.RxQueue1, timeoutMilliseconds: 200), Is.Empty, "RxQ1's field lost its valid bit");
        Assert.That(Nic.DrainInterrupts(), Is.Empty);
    }

    [Test]
    public void SoftwareResetRestoresTheMacAddressAndSelfClears()
    {
        var other = PhysicalAddress.Parse("02-11-22-33-44-55");
        Nic.SetReceiveAddress(other);
        Assert.That(Nic.ReceiveAddress, Is.EqualTo(other));
        Nic.SoftwareReset();
        Assert.That(Nic.ReadRegister(E1000eDevice.Registers.Ctrl) & (1u << 26), Is.Zero, "CTRL.RST self-clears");
        Assert.That(Nic.ReceiveAddress, Is.EqualTo(Nic.MacAddress), "the software reset reloads the NVM's address");
    }

    [Test]
    public void FunctionResetLeavesADeviceThatStillWorks()
    {
        Nic.RouteCause(E1000eCause.TxQueue0, 3);
        Nic.SetReceiveAddress(PhysicalAddress.Parse("02-11-22-33-44-55"));
        Assert.That(Nic.Reset(), Is.True, "QEMU's e1000e offers VFIO_DEVICE_RESET (a PM reset)");
        Assert.That(Nic.ReceiveAddress, Is.EqualTo(Nic.MacAddress));
        Assert.That(Nic.Status & StatusLinkUp, Is.EqualTo(StatusLinkUp), "memory decoding is back");
        Assert.That(Nic.InterruptVectors, Is.EqualTo(5), "the vectors are enabled again");
        Assert.That(Nic.FireCause(E1000eCause.TxQueue0), Is.EqualTo(new[] { (3, 1ul) }), "and the route reprogrammed");
    }

    [Test]
    public void RemovalReleasesTheDevice()
    {
        var device = _target.Device;
        var mapping = device.Mapping!;
        int fd = mapping.InterruptEventFd;
        Assert.That(fd, Is.GreaterThanOrEqualTo(0));
        _target.Pci.Unplug(device);
        Assert.That(device.Mapping, Is.Null, "the bus unmapped it");
        Assert.That(_target.Pci.Drivers.OfType<E1000eDriver>().Single().Find(device.Name), Is.Null, "the driver forgot it");
        Assert.That(mapping.InterruptVectors, Is.Zero, "its interrupts are off");
    }

    [Test]
    public void VectorMisuseIsRejectedWithTheReason()
    {
        var mapping = _target.Device.Mapping!;
        Assert.That(mapping.AvailableInterruptVectors, Is.EqualTo(5));
        var e = Assert.Throws<InvalidOperationException>(() => mapping.EnableInterrupts(3))!;
        Assert.That(e.Message, Does.Contain("enabled with 5").And.Contain("DisableInterrupts"));
        Assert.Throws<ArgumentOutOfRangeException>(() => mapping.WaitForInterrupt(5, 0));
        mapping.DisableInterrupts();
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => mapping.EnableInterrupts(6))!;
        Assert.That(tooMany.Message, Does.Contain("offers 5"));
        mapping.EnableInterrupts(2);
        Assert.That(mapping.InterruptVectors, Is.EqualTo(2), "fewer vectors than offered is fine");
    }

    [Test]
    public void BadRegisterOffsetsAreRejectedWithTheReason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Nic.ReadRegister(0x20000))!;
        Assert.That(e.Message, Does.Contain("0x20000").And.Contain("register BAR"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nic.WriteRegister(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nic.RouteCause(E1000eCause.RxQueue0, 5));
    }
}

[TestFixture(VfioMode.Group)]
[TestFixture(VfioMode.Cdev)]
[TestFixture(VfioMode.NoIommu)]
public sealed class EmulatedE1000eDriverCases(VfioMode mode) : E1000eDriverCases(KernelKind.Emulated, mode);

[TestFixture(VfioMode.Group)]
[TestFixture(VfioMode.Cdev)]
[TestFixture(VfioMode.NoIommu)]
public sealed class RealE1000eDriverCases(VfioMode mode) : E1000eDriverCases(KernelKind.Real, mode);

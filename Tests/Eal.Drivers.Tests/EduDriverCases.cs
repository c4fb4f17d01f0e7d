using Microsoft.Extensions.DependencyInjection;
using System.Runtime.InteropServices;
using Eal.Bus.Pci;
using Eal.Dma.Edu;
using Eal.Emulation.Devices;
using Eal.Vfio;
using NUnit.Framework;

namespace Eal.Drivers.Tests;

/// <summary>
/// The edu driver through EAL, the PCI bus and VFIO, written once for QEMU's edu on the real kernel (in the VM) and
/// for the QEMU-compatible <see cref="EduDeviceModel"/> on the emulated one.
/// </summary>
public abstract unsafe class EduDriverCases(KernelKind kind, VfioMode mode)
{
    private DriverTarget _target = null!;

    private EduDevice Edu => _target.Pci.Drivers.OfType<EduDriver>().Single().Find(_target.Device.Name)
        ?? throw new AssertionException($"{_target.Device.Name}: the edu driver did not probe it");

    [SetUp]
    public void StartEal() =>
        _target = DriverTarget.Start(kind, mode, EduDevice.VendorId, EduDevice.DeviceId, EduDeviceModel.QemuSpecKey, s => s.AddPciDriver<EduDriver>());

    [TearDown]
    public void StopEal() => _target?.Dispose();

    [Test]
    public void ProbeMapsBar0AndTheRegistersAnswer()
    {
        Assert.That(_target.Pci.GetVfioMode(_target.Device), Is.EqualTo(mode));
        Assert.That(Edu.Identification, Is.EqualTo(0x010000edu));
        Assert.That(Edu.Liveness(0x1234_5678), Is.EqualTo(~0x1234_5678u));
        Assert.That(Edu.Factorial(10), Is.EqualTo(3_628_800u));
        Assert.That(Edu.InterruptIndex, Is.EqualTo(1), "QEMU's edu has MSI and no MSI-X: the bus must pick MSI");
    }

    [Test]
    public void RaisedInterruptArrivesOnTheMsiEventfd()
    {
        Assert.That(Edu.RaiseInterrupt(0x10), Is.EqualTo(0x10u), "the raise register's bits, delivered by MSI to the eventfd");
        Assert.That(Edu.RaiseInterrupt(0x20), Is.EqualTo(0x20u), "acknowledged before, so only the new bit");
    }

    [Test]
    public void DmaRoundTripThroughTheIommu()
    {
        const int Length = 6 * 1024;
        var memory = _target.Eal.Memory;
        nint src = memory.Heap.Malloc(Length, 4096), dst = memory.Heap.Malloc(Length, 4096);
        try
        {
            var s = new Span<byte>((void*)src, Length);
            var d = new Span<byte>((void*)dst, Length);
            for (int i = 0; i < Length; i++) s[i] = (byte)(i * 13 + 5);
            d.Clear();
            ulong srcIova = memory.VirtualToIova(src), dstIova = memory.VirtualToIova(dst);
            ulong? physical = memory.Os.VirtualToPhysical(src);
            if (mode == VfioMode.NoIommu)
                Assert.That(srcIova, Is.EqualTo(physical), "no IOMMU: the device is given the physical address");
            else
                Assert.That(srcIova, Is.Not.EqualTo(physical), "behind an IOMMU the IOVA is the virtual address, not the physical one");

            Edu.Copy(srcIova, dstIova, Length);

            Assert.That(d.SequenceEqual(s), Is.True, "the destination holds the source after the device's round trip");
        }
        finally
        {
            memory.Heap.Free(dst);
            memory.Heap.Free(src);
        }
    }

    [Test]
    public void DmaToAnUnmappedIovaIsBlocked()
    {
        if (mode == VfioMode.NoIommu) Assert.Ignore("no IOMMU in no-IOMMU mode: nothing can block a DMA");
        const int Length = 4096, Bytes = 256;
        const ulong Iova = 0x40_0000_0000 - 0x10_0000; // inside a 39-bit IOMMU's range, far from EAL's memory
        var buffer = (byte*)NativeMemory.AlignedAlloc(Length, 4096);
        try
        {
            // QEMU's edu keeps its buffer internal: load it and read it back by DMA through a mapping of our own.
            var ram = new Span<byte>(buffer, Length);
            for (int i = 0; i < Bytes; i++) ram[i] = (byte)(0xA0 + i);
            var pattern = ram[..Bytes].ToArray();
            _target.Pci.DmaMap(_target.Device, (nint)buffer, Iova, Length);
            Edu.ToDevice(Iova, 0, Bytes);
            ram.Fill(0x11);
            Edu.FromDevice(0, Iova, Bytes);
            Assert.That(ram[..Bytes].SequenceEqual(pattern), Is.True, "mapped: the device read and wrote RAM");

            ram.Fill(0x11);
            _target.Pci.DmaUnmap(_target.Device, (nint)buffer, Iova, Length);
            Blocked(() => Edu.FromDevice(0, Iova, Bytes));
            Assert.That(ram.IndexOfAnyExcept((byte)0x11), Is.EqualTo(-1), "just unmapped: the IOMMU blocked the write, RAM is untouched");

            Blocked(() => Edu.ToDevice(Iova, 0, Bytes));
            _target.Pci.DmaMap(_target.Device, (nint)buffer, Iova, Length);
            Edu.FromDevice(0, Iova, Bytes);
            Assert.That(ram[..Bytes].IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "the blocked read delivered zeros to the device, as QEMU's bus does");
            _target.Pci.DmaUnmap(_target.Device, (nint)buffer, Iova, Length);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    // QEMU's edu completes a blocked transfer silently; the MSI-X edu model reports it. Both must leave RAM alone.
    private static void Blocked(Action transfer)
    {
        try
        {
            transfer();
        }
        catch (EduDmaException)
        {
        }
    }
}

[TestFixture(VfioMode.Group)]
[TestFixture(VfioMode.Cdev)]
[TestFixture(VfioMode.NoIommu)]
public sealed class EmulatedEduDriverCases(VfioMode mode) : EduDriverCases(KernelKind.Emulated, mode);

[TestFixture(VfioMode.Group)]
[TestFixture(VfioMode.Cdev)]
[TestFixture(VfioMode.NoIommu)]
public sealed class RealEduDriverCases(VfioMode mode) : EduDriverCases(KernelKind.Real, mode);

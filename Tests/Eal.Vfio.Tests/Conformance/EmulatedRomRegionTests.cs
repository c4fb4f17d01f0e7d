using Eal.Emulation;
using Eal.Emulation.Devices;
using Eal.Emulation.Kernel;
using Eal.Vfio.Native;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Conformance;

/// <summary>
/// The emulated kernel serves a model's expansion ROM as VFIO region 6 the way vfio-pci does (read-only, no mmap, size
/// 0 without a ROM); E1000eConformance holds the same rules against the real kernel with QEMU's e1000e.
/// </summary>
[TestFixture]
public sealed unsafe class EmulatedRomRegionTests
{
    private sealed class RomModel(PciFunctionDescription d) : PciFunctionModel(d), IPciDeviceModel
    {
        public ulong ExpansionRomSize => 0x8000;

        public void ReadRom(ulong offset, Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = (byte)(offset + (ulong)i);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void RomRegion_IsReadOnly_NotMappable_AndAbsentWithoutARom(bool withRom)
    {
        using var platform = new EmulatedPlatform(MachineSpec.Parse("vfio=1"));
        using var kernel = new EmulatedKernel(platform, d => withRom ? new RomModel(d) : null);
        string device = platform.Machine.PciFunctions[0].Address;
        int container = kernel.Open(Path.Combine(platform.DevRoot, "vfio/vfio"), LibC.OpenReadWrite);
        int group = kernel.Open(Path.Combine(platform.DevRoot, $"vfio/{platform.Machine.PciFunctions[0].IommuGroup}"), LibC.OpenReadWrite);
        Assert.That(kernel.Ioctl(group, VfioIoctl.GroupSetContainer, &container), Is.EqualTo(0));
        Assert.That(kernel.IoctlValue(container, VfioIoctl.SetIommu, (nint)VfioConstants.Type1v2Iommu), Is.EqualTo(0));
        var name = System.Text.Encoding.ASCII.GetBytes(device + "\0");
        int d;
        fixed (byte* p = name) d = kernel.Ioctl(group, VfioIoctl.GroupGetDeviceFd, p);
        Assert.That(d, Is.GreaterThanOrEqualTo(0));

        var rom = new VfioRegionInfo { Argsz = 32, Index = VfioConstants.PciRomRegionIndex };
        Assert.That(kernel.Ioctl(d, VfioIoctl.DeviceGetRegionInfo, &rom), Is.EqualTo(0));
        ulong value = 0;
        if (withRom)
        {
            Assert.That((rom.Size, rom.Flags), Is.EqualTo((0x8000UL, VfioConstants.RegionInfoFlagRead)));
            Assert.That(kernel.PRead(d, &value, 8, (long)rom.Offset + 0x7ffc), Is.EqualTo((nint)4), "a read is clipped at the ROM's end");
            Assert.That(value, Is.EqualTo(0xfffefdfcUL));
            Assert.That(kernel.PWrite(d, &value, 4, (long)rom.Offset), Is.EqualTo((nint)(-Errno.EINVAL)), "the ROM refuses writes");
            Assert.That(kernel.PRead(d, &value, 4, (long)rom.Offset + 0x8000), Is.EqualTo((nint)(-Errno.EINVAL)), "read past its end");
            Assert.That(kernel.Mmap(0, 4096, 1, 1, d, (long)rom.Offset), Is.EqualTo((nint)(-Errno.EINVAL)), "the ROM is not mappable");
        }
        else
        {
            Assert.That((rom.Size, rom.Flags), Is.EqualTo((0UL, 0u)));
            Assert.That(kernel.PRead(d, &value, 4, (long)rom.Offset), Is.EqualTo((nint)(-Errno.EINVAL)));
        }

        Assert.That(kernel.Close(d) | kernel.Close(group) | kernel.Close(container), Is.Zero);
        Assert.That(kernel.Resources.IsEmpty, Is.True);
    }
}

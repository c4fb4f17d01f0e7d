using System.Runtime.InteropServices;
using Eal.Vfio.Uapi;

namespace Eal.Vfio.Tests.Uapi;

[TestFixture]
public sealed class VfioCapabilityChainTests
{
    private const int RegionInfoSize = 32;

    /// <summary>A region info buffer of <paramref name="argsz"/> bytes with CAPS set and the first capability at <paramref name="capOffset"/>.</summary>
    private static byte[] RegionInfo(uint argsz, uint capOffset, uint index = 2, bool caps = true, int bufferSize = -1)
    {
        var buffer = new byte[bufferSize < 0 ? argsz : bufferSize];
        var info = new VfioRegionInfo
        {
            Argsz = argsz,
            Flags = VfioConstants.RegionInfoFlagRead | VfioConstants.RegionInfoFlagMmap | (caps ? VfioConstants.RegionInfoFlagCaps : 0),
            Index = index,
            CapOffset = capOffset,
            Size = 0x4000,
            Offset = 2UL << 40,
        };
        MemoryMarshal.Write(buffer, in info);
        return buffer;
    }

    private static void Header(byte[] buffer, int at, ushort id, uint next, ushort version = 1)
    {
        var h = new VfioInfoCapHeader { Id = id, Version = version, Next = next };
        MemoryMarshal.Write(buffer.AsSpan(at), in h);
    }

    private static string Walk(byte[] buffer)
    {
        var ids = new List<string>();
        foreach (var cap in VfioCapabilityChain.FromRegionInfo(buffer))
        {
            ids.Add($"{cap.Id}@{cap.Offset}:{cap.Bytes.Length}");
        }

        return string.Join(",", ids);
    }

    [Test]
    public void ValidChain_IsWalkedInOrder_WithEachCapabilitysBytes()
    {
        // sparse mmap (2 areas, 48 bytes) at 32, then MSI-X mappable (8 bytes) at 80.
        var buffer = RegionInfo(88, 32);
        var sparse = new VfioRegionInfoCapSparseMmap { Header = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapSparseMmap, Version = 1, Next = 80 }, NrAreas = 2 };
        MemoryMarshal.Write(buffer.AsSpan(32), in sparse);
        var a0 = new VfioRegionSparseMmapArea { Offset = 0, Size = 0x1000 };
        var a1 = new VfioRegionSparseMmapArea { Offset = 0x3000, Size = 0x1000 };
        MemoryMarshal.Write(buffer.AsSpan(48), in a0);
        MemoryMarshal.Write(buffer.AsSpan(64), in a1);
        Header(buffer, 80, VfioConstants.RegionInfoCapMsixMappable, 0);

        Assert.That(Walk(buffer), Is.EqualTo("1@32:48,3@80:8"));
        var chain = VfioCapabilityChain.FromRegionInfo(buffer);
        Assert.That(chain.TryFind(VfioConstants.RegionInfoCapSparseMmap, out var cap), Is.True);
        var areas = cap.ReadSparseMmapAreas();
        Assert.That(areas.Length, Is.EqualTo(2));
        Assert.That((areas[1].Offset, areas[1].Size), Is.EqualTo((0x3000UL, 0x1000UL)));
        Assert.That(chain.TryFind(VfioConstants.RegionInfoCapMsixMappable, out _), Is.True);
        Assert.That(chain.TryFind(VfioConstants.RegionInfoCapType, out _), Is.False);
    }

    [Test]
    public void WithoutCapsFlag_ChainIsEmpty_EvenIfCapOffsetIsSet()
    {
        var buffer = RegionInfo(40, 32, caps: false);
        Header(buffer, 32, VfioConstants.RegionInfoCapMsixMappable, 0);
        Assert.That(Walk(buffer), Is.Empty);
    }

    [Test]
    public void NextPointingAtItself_IsReportedAsLoop()
    {
        var buffer = RegionInfo(48, 32);
        Header(buffer, 32, VfioConstants.RegionInfoCapMsixMappable, 32);
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Is.EqualTo(
            "VFIO_DEVICE_GET_REGION_INFO region 2: next of the capability at 0x20 is 0x20, which is not after that capability's header (a loop or overlap); the chain must move forward."));
    }

    [Test]
    public void NextPointingBackwards_IsReportedAsLoop()
    {
        var buffer = RegionInfo(56, 32);
        Header(buffer, 32, VfioConstants.RegionInfoCapType, 48);
        Header(buffer, 48, VfioConstants.RegionInfoCapMsixMappable, 32);
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Does.Contain("next of the capability at 0x30 is 0x20, which is not after that capability's header (a loop or overlap)"));
    }

    [Test]
    public void NextPastArgsz_IsReportedAsOutsideArgsz()
    {
        // The buffer is bigger than argsz: bytes past argsz were not filled by the kernel and must not be read.
        var buffer = RegionInfo(48, 32, bufferSize: 128);
        Header(buffer, 32, VfioConstants.RegionInfoCapType, 64);
        Header(buffer, 64, VfioConstants.RegionInfoCapMsixMappable, 0);
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Is.EqualTo(
            "VFIO_DEVICE_GET_REGION_INFO region 2: next of the capability at 0x20 is 0x40, but the capability header (8 bytes) does not fit in the 48 valid bytes (argsz); the chain points outside argsz."));
    }

    [Test]
    public void TruncatedHeader_AtTheEndOfArgsz_IsReported()
    {
        var buffer = RegionInfo(36, 32); // only 4 of the 8 header bytes are inside argsz
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Does.Contain("cap_offset is 0x20, but the capability header (8 bytes) does not fit in the 36 valid bytes (argsz)"));
    }

    [Test]
    public void CapOffsetInsideTheFixedStruct_IsReported()
    {
        var buffer = RegionInfo(48, 16);
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Does.Contain("cap_offset is 0x10, inside the 32-byte fixed info struct; capabilities start at 0x20 or later."));
    }

    [Test]
    public void UnalignedCapOffset_IsReported()
    {
        var buffer = RegionInfo(48, 36);
        var ex = Assert.Throws<UapiFormatException>(() => Walk(buffer));
        Assert.That(ex!.Message, Does.Contain("cap_offset is 0x24, not 8-byte aligned"));
    }

    [Test]
    public void ArgszLargerThanTheBuffer_AsksForARetryWithArgszBytes()
    {
        var buffer = RegionInfo(96, 32, bufferSize: RegionInfoSize);
        var ex = Assert.Throws<UapiFormatException>(() => VfioCapabilityChain.FromRegionInfo(buffer));
        Assert.That(ex!.Message, Is.EqualTo(
            "VFIO_DEVICE_GET_REGION_INFO region 2: argsz is 96 but the buffer has 32 bytes; the capability chain did not fit — call again with a buffer of argsz bytes."));
    }

    [Test]
    public void BufferShorterThanTheFixedStruct_IsReported()
    {
        var ex = Assert.Throws<UapiFormatException>(() => VfioCapabilityChain.FromRegionInfo(new byte[20]));
        Assert.That(ex!.Message, Is.EqualTo("VFIO_DEVICE_GET_REGION_INFO: the buffer has 20 bytes, fewer than the 32-byte VfioRegionInfo."));
    }

    [Test]
    public void SparseMmapAreas_BeyondTheCapability_AreReported()
    {
        // nr_areas = 4 but only one area (16 bytes) fits before argsz.
        var buffer = RegionInfo(64, 32);
        var sparse = new VfioRegionInfoCapSparseMmap { Header = new VfioInfoCapHeader { Id = VfioConstants.RegionInfoCapSparseMmap, Version = 1 }, NrAreas = 4 };
        MemoryMarshal.Write(buffer.AsSpan(32), in sparse);
        var chain = VfioCapabilityChain.FromRegionInfo(buffer);
        Assert.That(chain.TryFind(VfioConstants.RegionInfoCapSparseMmap, out var cap), Is.True);
        string message = "";
        try
        {
            cap.ReadSparseMmapAreas();
        }
        catch (UapiFormatException ex)
        {
            message = ex.Message;
        }

        Assert.That(message, Is.EqualTo(
            "VFIO_DEVICE_GET_REGION_INFO region 2: capability id 1 at offset 0x20 declares 4 VfioRegionSparseMmapArea entries (80 bytes with its header) but only 32 bytes remain before the next capability or the end of argsz."));
    }

    [Test]
    public void ReadingACapabilityAsTheWrongType_IsReported()
    {
        var buffer = RegionInfo(48, 32);
        Header(buffer, 32, VfioConstants.RegionInfoCapMsixMappable, 0);
        var chain = VfioCapabilityChain.FromRegionInfo(buffer);
        chain.TryFind(VfioConstants.RegionInfoCapMsixMappable, out var cap);
        string message = "";
        try
        {
            cap.ReadSparseMmapAreas();
        }
        catch (UapiFormatException ex)
        {
            message = ex.Message;
        }

        Assert.That(message, Does.Contain("capability at offset 0x20 has id 3, not VFIO_REGION_INFO_CAP_SPARSE_MMAP (1)."));
    }

    [Test]
    public void Type1IovaRanges_AreRead_FromIommuInfo()
    {
        // vfio_iommu_type1_info (24) + iova range cap (16 + 2*16) at 24.
        var buffer = new byte[72];
        var info = new VfioIommuType1Info { Argsz = 72, Flags = VfioConstants.IommuInfoCaps | VfioConstants.IommuInfoPgsizes, IovaPgsizes = 0x40201000, CapOffset = 24 };
        MemoryMarshal.Write(buffer, in info);
        var cap = new VfioIommuType1InfoCapIovaRange { Header = new VfioInfoCapHeader { Id = VfioConstants.IommuType1InfoCapIovaRange, Version = 1 }, NrIovas = 2 };
        MemoryMarshal.Write(buffer.AsSpan(24), in cap);
        var r0 = new VfioIovaRange { Start = 0, End = 0xfedfffff };
        var r1 = new VfioIovaRange { Start = 0xfef00000, End = 0xffffffffffff };
        MemoryMarshal.Write(buffer.AsSpan(40), in r0);
        MemoryMarshal.Write(buffer.AsSpan(56), in r1);

        var chain = VfioCapabilityChain.FromIommuType1Info(buffer);
        Assert.That(chain.TryFind(VfioConstants.IommuType1InfoCapIovaRange, out var found), Is.True);
        var ranges = found.ReadIovaRanges();
        Assert.That(ranges.Length, Is.EqualTo(2));
        Assert.That((ranges[0].End, ranges[1].Start), Is.EqualTo((0xfedfffffUL, 0xfef00000UL)));
    }

    [Test]
    public void DeviceInfo_WithCaps_IsWalked()
    {
        var buffer = new byte[40];
        var info = new VfioDeviceInfo { Argsz = 40, Flags = VfioConstants.DeviceFlagsPci | VfioConstants.DeviceFlagsCaps, NumRegions = 9, NumIrqs = 5, CapOffset = 24 };
        MemoryMarshal.Write(buffer, in info);
        var atomic = new VfioDeviceInfoCapPciAtomicComp { Header = new VfioInfoCapHeader { Id = (ushort)VfioConstants.DeviceInfoCapPciAtomicComp, Version = 1 }, Flags = VfioConstants.PciAtomicComp32 };
        MemoryMarshal.Write(buffer.AsSpan(24), in atomic);
        var chain = VfioCapabilityChain.FromDeviceInfo(buffer);
        Assert.That(chain.TryFind((ushort)VfioConstants.DeviceInfoCapPciAtomicComp, out var cap), Is.True);
        Assert.That(cap.Read<VfioDeviceInfoCapPciAtomicComp>().Flags, Is.EqualTo(VfioConstants.PciAtomicComp32));
    }
}

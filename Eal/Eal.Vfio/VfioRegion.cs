using Eal.Vfio.Uapi;

namespace Eal.Vfio;

/// <summary>
/// A device region as <c>VFIO_DEVICE_GET_REGION_INFO</c> describes it, with its capability chain decoded.
/// </summary>
/// <param name="Index">Region index (vfio-pci: BAR0..5 = 0..5, ROM 6, config 7, VGA 8).</param>
/// <param name="Flags">READ/WRITE/MMAP/CAPS flags.</param>
/// <param name="Size">Bytes (0 = the region does not exist, e.g. an unimplemented BAR).</param>
/// <param name="Offset">File offset of the region in the device fd (for pread/pwrite/mmap).</param>
/// <param name="SparseMmapAreas">The mmapable areas when the region has a sparse-mmap capability, else null (then the whole region is mmapable when <see cref="CanMmap"/>).</param>
/// <param name="MsixMappable">The <c>MSIX_MAPPABLE</c> capability: the MSI-X table in this region may be mmapped.</param>
/// <param name="RegionType">Type and subtype of a <c>CAP_TYPE</c> capability, or null.</param>
public sealed record VfioRegion(
    uint Index,
    uint Flags,
    ulong Size,
    ulong Offset,
    IReadOnlyList<VfioRegionSparseMmapArea>? SparseMmapAreas,
    bool MsixMappable,
    (uint Type, uint Subtype)? RegionType)
{
    /// <summary>The region can be read with pread.</summary>
    public bool CanRead => (Flags & VfioConstants.RegionInfoFlagRead) != 0;

    /// <summary>The region can be written with pwrite.</summary>
    public bool CanWrite => (Flags & VfioConstants.RegionInfoFlagWrite) != 0;

    /// <summary>The region (or its sparse areas) can be mmapped.</summary>
    public bool CanMmap => (Flags & VfioConstants.RegionInfoFlagMmap) != 0;
}

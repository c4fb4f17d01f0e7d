// Declarations of <linux/iommufd.h> (the /dev/iommu character device). Names follow the C names in .NET
// style: struct iommu_ioas_map -> IommuIoasMap, IOMMU_IOAS_MAP_FIXED_IOVA -> IommuFdConstants.IoasMapFixedIova,
// request IOMMU_IOAS_MAP -> IommuFdIoctl.IoasMap. Every item is pinned by the golden tests.
using System.Runtime.InteropServices;

namespace Eal.Vfio.Uapi;

/// <summary>
/// Constants of <c>linux/iommufd.h</c>. IOMMUFD errno convention: ENOTTY unknown ioctl, E2BIG non-zero bytes
/// past what the kernel understands, EOPNOTSUPP known field with unsupported value, EINVAL bad field,
/// ENOENT bad id or IOVA, ENOMEM, EOVERFLOW.
/// </summary>
public static class IommuFdConstants
{
    #region Ioctl type and command numbers

    /// <summary>Ioctl type byte, <c>';'</c> (<c>IOMMUFD_TYPE</c>).</summary>
    public const uint Type = ';';
    /// <summary>First command number (<c>IOMMUFD_CMD_BASE</c>).</summary>
    public const uint CmdBase = 0x80;
    /// <summary><c>IOMMUFD_CMD_DESTROY</c>.</summary>
    public const uint CmdDestroy = CmdBase;
    /// <summary><c>IOMMUFD_CMD_IOAS_ALLOC</c>.</summary>
    public const uint CmdIoasAlloc = 0x81;
    /// <summary><c>IOMMUFD_CMD_IOAS_ALLOW_IOVAS</c>.</summary>
    public const uint CmdIoasAllowIovas = 0x82;
    /// <summary><c>IOMMUFD_CMD_IOAS_COPY</c>.</summary>
    public const uint CmdIoasCopy = 0x83;
    /// <summary><c>IOMMUFD_CMD_IOAS_IOVA_RANGES</c>.</summary>
    public const uint CmdIoasIovaRanges = 0x84;
    /// <summary><c>IOMMUFD_CMD_IOAS_MAP</c>.</summary>
    public const uint CmdIoasMap = 0x85;
    /// <summary><c>IOMMUFD_CMD_IOAS_UNMAP</c>.</summary>
    public const uint CmdIoasUnmap = 0x86;
    /// <summary><c>IOMMUFD_CMD_OPTION</c>.</summary>
    public const uint CmdOption = 0x87;
    /// <summary><c>IOMMUFD_CMD_VFIO_IOAS</c>.</summary>
    public const uint CmdVfioIoas = 0x88;
    /// <summary><c>IOMMUFD_CMD_HWPT_ALLOC</c>.</summary>
    public const uint CmdHwptAlloc = 0x89;
    /// <summary><c>IOMMUFD_CMD_GET_HW_INFO</c>.</summary>
    public const uint CmdGetHwInfo = 0x8a;
    /// <summary><c>IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING</c>.</summary>
    public const uint CmdHwptSetDirtyTracking = 0x8b;
    /// <summary><c>IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP</c>.</summary>
    public const uint CmdHwptGetDirtyBitmap = 0x8c;
    /// <summary><c>IOMMUFD_CMD_HWPT_INVALIDATE</c>.</summary>
    public const uint CmdHwptInvalidate = 0x8d;
    /// <summary><c>IOMMUFD_CMD_FAULT_QUEUE_ALLOC</c>.</summary>
    public const uint CmdFaultQueueAlloc = 0x8e;
    /// <summary><c>IOMMUFD_CMD_IOAS_MAP_FILE</c> (Linux 6.13).</summary>
    [UapiSince(6, 13)]
    public const uint CmdIoasMapFile = 0x8f;

    #endregion

    #region IOAS

    /// <summary>Map at the given IOVA instead of letting the kernel choose (<c>IOMMU_IOAS_MAP_FIXED_IOVA</c>).</summary>
    public const uint IoasMapFixedIova = 1 << 0;
    /// <summary>Device may write (<c>IOMMU_IOAS_MAP_WRITEABLE</c>).</summary>
    public const uint IoasMapWriteable = 1 << 1;
    /// <summary>Device may read (<c>IOMMU_IOAS_MAP_READABLE</c>).</summary>
    public const uint IoasMapReadable = 1 << 2;
    /// <summary>Option: per-user RLIMIT_MEMLOCK accounting (<c>IOMMU_OPTION_RLIMIT_MODE</c>).</summary>
    public const uint OptionRlimitMode = 0;
    /// <summary>Option: allow huge pages (<c>IOMMU_OPTION_HUGE_PAGES</c>).</summary>
    public const uint OptionHugePages = 1;
    /// <summary>Option op: set (<c>IOMMU_OPTION_OP_SET</c>).</summary>
    public const ushort OptionOpSet = 0;
    /// <summary>Option op: get (<c>IOMMU_OPTION_OP_GET</c>).</summary>
    public const ushort OptionOpGet = 1;
    /// <summary>VFIO compat IOAS op: get (<c>IOMMU_VFIO_IOAS_GET</c>).</summary>
    public const ushort VfioIoasGet = 0;
    /// <summary>VFIO compat IOAS op: set (<c>IOMMU_VFIO_IOAS_SET</c>).</summary>
    public const ushort VfioIoasSet = 1;
    /// <summary>VFIO compat IOAS op: clear (<c>IOMMU_VFIO_IOAS_CLEAR</c>).</summary>
    public const ushort VfioIoasClear = 2;

    #endregion

    #region HWPT and hardware info

    /// <summary>HWPT may be a nesting parent (<c>IOMMU_HWPT_ALLOC_NEST_PARENT</c>).</summary>
    public const uint HwptAllocNestParent = 1 << 0;
    /// <summary>HWPT tracks dirty pages (<c>IOMMU_HWPT_ALLOC_DIRTY_TRACKING</c>).</summary>
    public const uint HwptAllocDirtyTracking = 1 << 1;
    /// <summary><see cref="IommuHwptAlloc.FaultId"/> is valid (<c>IOMMU_HWPT_FAULT_ID_VALID</c>).</summary>
    public const uint HwptFaultIdValid = 1 << 2;
    /// <summary>VT-d stage 1: supervisor requests (<c>IOMMU_VTD_S1_SRE</c>).</summary>
    public const ulong VtdS1Sre = 1 << 0;
    /// <summary>VT-d stage 1: extended access flag (<c>IOMMU_VTD_S1_EAFE</c>).</summary>
    public const ulong VtdS1Eafe = 1 << 1;
    /// <summary>VT-d stage 1: write protect (<c>IOMMU_VTD_S1_WPE</c>).</summary>
    public const ulong VtdS1Wpe = 1 << 2;
    /// <summary>No HWPT data (<c>IOMMU_HWPT_DATA_NONE</c>).</summary>
    public const uint HwptDataNone = 0;
    /// <summary>HWPT data is <see cref="IommuHwptVtdS1"/> (<c>IOMMU_HWPT_DATA_VTD_S1</c>).</summary>
    public const uint HwptDataVtdS1 = 1;
    /// <summary>VT-d erratum flag (<c>IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17</c>).</summary>
    public const uint HwInfoVtdErrata772415Spr17 = 1 << 0;
    /// <summary>No hardware info (<c>IOMMU_HW_INFO_TYPE_NONE</c>).</summary>
    public const uint HwInfoTypeNone = 0;
    /// <summary>Hardware info is <see cref="IommuHwInfoVtd"/> (<c>IOMMU_HW_INFO_TYPE_INTEL_VTD</c>).</summary>
    public const uint HwInfoTypeIntelVtd = 1;
    /// <summary>IOMMU supports dirty tracking (<c>IOMMU_HW_CAP_DIRTY_TRACKING</c>).</summary>
    public const ulong HwCapDirtyTracking = 1 << 0;
    /// <summary>PCI PASID execute permission (<c>IOMMU_HW_CAP_PCI_PASID_EXEC</c>).</summary>
    public const ulong HwCapPciPasidExec = 1 << 1;
    /// <summary>PCI PASID privileged mode (<c>IOMMU_HW_CAP_PCI_PASID_PRIV</c>).</summary>
    public const ulong HwCapPciPasidPriv = 1 << 2;
    /// <summary>Enable dirty tracking (<c>IOMMU_HWPT_DIRTY_TRACKING_ENABLE</c>).</summary>
    public const uint HwptDirtyTrackingEnable = 1;
    /// <summary>Read the dirty bitmap without clearing it (<c>IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR</c>).</summary>
    public const uint HwptGetDirtyBitmapNoClear = 1;
    /// <summary>Invalidation data is <see cref="IommuHwptVtdS1Invalidate"/> (<c>IOMMU_HWPT_INVALIDATE_DATA_VTD_S1</c>).</summary>
    public const uint HwptInvalidateDataVtdS1 = 0;
    /// <summary>Invalidate leaf entries only (<c>IOMMU_VTD_INV_FLAGS_LEAF</c>).</summary>
    public const uint VtdInvFlagsLeaf = 1 << 0;

    #endregion

    #region Faults

    /// <summary>Fault carries a PASID (<c>IOMMU_PGFAULT_FLAGS_PASID_VALID</c>).</summary>
    public const uint PgfaultFlagsPasidValid = 1 << 0;
    /// <summary>Last fault of a group (<c>IOMMU_PGFAULT_FLAGS_LAST_PAGE</c>).</summary>
    public const uint PgfaultFlagsLastPage = 1 << 1;
    /// <summary>Read access (<c>IOMMU_PGFAULT_PERM_READ</c>).</summary>
    public const uint PgfaultPermRead = 1 << 0;
    /// <summary>Write access (<c>IOMMU_PGFAULT_PERM_WRITE</c>).</summary>
    public const uint PgfaultPermWrite = 1 << 1;
    /// <summary>Execute access (<c>IOMMU_PGFAULT_PERM_EXEC</c>).</summary>
    public const uint PgfaultPermExec = 1 << 2;
    /// <summary>Privileged access (<c>IOMMU_PGFAULT_PERM_PRIV</c>).</summary>
    public const uint PgfaultPermPriv = 1 << 3;
    /// <summary>Page response: success (<c>IOMMUFD_PAGE_RESP_SUCCESS</c>).</summary>
    public const uint PageRespSuccess = 0;
    /// <summary>Page response: invalid (<c>IOMMUFD_PAGE_RESP_INVALID</c>).</summary>
    public const uint PageRespInvalid = 1;

    #endregion
}

/// <summary>Request codes of <c>linux/iommufd.h</c>, all <c>_IO(';', IOMMUFD_CMD_*)</c>, issued on a <c>/dev/iommu</c> fd.</summary>
public static class IommuFdIoctl
{
    private const uint Io = IommuFdConstants.Type << IoctlCode.TypeShift;

    /// <summary>Arg: <see cref="IommuDestroy"/>* (<c>IOMMU_DESTROY</c>).</summary>
    public const uint Destroy = Io | IommuFdConstants.CmdDestroy;
    /// <summary>Arg: <see cref="IommuIoasAlloc"/>* (<c>IOMMU_IOAS_ALLOC</c>).</summary>
    public const uint IoasAlloc = Io | IommuFdConstants.CmdIoasAlloc;
    /// <summary>Arg: <see cref="IommuIoasAllowIovas"/>* (<c>IOMMU_IOAS_ALLOW_IOVAS</c>).</summary>
    public const uint IoasAllowIovas = Io | IommuFdConstants.CmdIoasAllowIovas;
    /// <summary>Arg: <see cref="IommuIoasCopy"/>* (<c>IOMMU_IOAS_COPY</c>).</summary>
    public const uint IoasCopy = Io | IommuFdConstants.CmdIoasCopy;
    /// <summary>Arg: <see cref="IommuIoasIovaRanges"/>* (<c>IOMMU_IOAS_IOVA_RANGES</c>).</summary>
    public const uint IoasIovaRanges = Io | IommuFdConstants.CmdIoasIovaRanges;
    /// <summary>Arg: <see cref="IommuIoasMap"/>* (<c>IOMMU_IOAS_MAP</c>).</summary>
    public const uint IoasMap = Io | IommuFdConstants.CmdIoasMap;
    /// <summary>Arg: <see cref="IommuIoasUnmap"/>* (<c>IOMMU_IOAS_UNMAP</c>).</summary>
    public const uint IoasUnmap = Io | IommuFdConstants.CmdIoasUnmap;
    /// <summary>Arg: <see cref="IommuOption"/>* (<c>IOMMU_OPTION</c>).</summary>
    public const uint Option = Io | IommuFdConstants.CmdOption;
    /// <summary>Arg: <see cref="IommuVfioIoas"/>* (<c>IOMMU_VFIO_IOAS</c>).</summary>
    public const uint VfioIoas = Io | IommuFdConstants.CmdVfioIoas;
    /// <summary>Arg: <see cref="IommuHwptAlloc"/>* (<c>IOMMU_HWPT_ALLOC</c>).</summary>
    public const uint HwptAlloc = Io | IommuFdConstants.CmdHwptAlloc;
    /// <summary>Arg: <see cref="IommuHwInfo"/>* (<c>IOMMU_GET_HW_INFO</c>).</summary>
    public const uint GetHwInfo = Io | IommuFdConstants.CmdGetHwInfo;
    /// <summary>Arg: <see cref="IommuHwptSetDirtyTracking"/>* (<c>IOMMU_HWPT_SET_DIRTY_TRACKING</c>).</summary>
    public const uint HwptSetDirtyTracking = Io | IommuFdConstants.CmdHwptSetDirtyTracking;
    /// <summary>Arg: <see cref="IommuHwptGetDirtyBitmap"/>* (<c>IOMMU_HWPT_GET_DIRTY_BITMAP</c>).</summary>
    public const uint HwptGetDirtyBitmap = Io | IommuFdConstants.CmdHwptGetDirtyBitmap;
    /// <summary>Arg: <see cref="IommuHwptInvalidate"/>* (<c>IOMMU_HWPT_INVALIDATE</c>).</summary>
    public const uint HwptInvalidate = Io | IommuFdConstants.CmdHwptInvalidate;
    /// <summary>Arg: <see cref="IommuFaultAlloc"/>* (<c>IOMMU_FAULT_QUEUE_ALLOC</c>).</summary>
    public const uint FaultQueueAlloc = Io | IommuFdConstants.CmdFaultQueueAlloc;
    /// <summary>Arg: <see cref="IommuIoasMapFile"/>* (<c>IOMMU_IOAS_MAP_FILE</c>, Linux 6.13).</summary>
    [UapiSince(6, 13)]
    public const uint IoasMapFile = Io | IommuFdConstants.CmdIoasMapFile;
}

/// <summary>Argument of <see cref="IommuFdIoctl.Destroy"/> (<c>struct iommu_destroy</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuDestroy
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>Object id to destroy.</summary>
    public uint Id;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasAlloc"/> (<c>struct iommu_ioas_alloc</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasAlloc
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Out: IOAS id.</summary>
    public uint OutIoasId;
}

/// <summary>An IOVA range, both ends inclusive (<c>struct iommu_iova_range</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIovaRange
{
    /// <summary>First IOVA.</summary>
    public ulong Start;
    /// <summary>Last IOVA (inclusive).</summary>
    public ulong Last;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasIovaRanges"/> (<c>struct iommu_ioas_iova_ranges</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasIovaRanges
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>IOAS id.</summary>
    public uint IoasId;
    /// <summary>In: array length; out: number of ranges (EMSGSIZE when the array is too small).</summary>
    public uint NumIovas;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>User pointer to <see cref="IommuIovaRange"/>[<see cref="NumIovas"/>].</summary>
    public ulong AllowedIovas;
    /// <summary>Out: required IOVA alignment.</summary>
    public ulong OutIovaAlignment;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasAllowIovas"/> (<c>struct iommu_ioas_allow_iovas</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasAllowIovas
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>IOAS id.</summary>
    public uint IoasId;
    /// <summary>Number of ranges.</summary>
    public uint NumIovas;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>User pointer to <see cref="IommuIovaRange"/>[<see cref="NumIovas"/>].</summary>
    public ulong AllowedIovas;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasMap"/> (<c>struct iommu_ioas_map</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasMap
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><c>IommuFdConstants.IoasMap*</c>.</summary>
    public uint Flags;
    /// <summary>IOAS id.</summary>
    public uint IoasId;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>User virtual address.</summary>
    public ulong UserVa;
    /// <summary>Length in bytes.</summary>
    public ulong Length;
    /// <summary>In with <see cref="IommuFdConstants.IoasMapFixedIova"/>, otherwise out.</summary>
    public ulong Iova;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasMapFile"/> (<c>struct iommu_ioas_map_file</c>, Linux 6.13).</summary>
[UapiHeader("iommufd.h"), UapiSince(6, 13), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasMapFile
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><c>IommuFdConstants.IoasMap*</c>.</summary>
    public uint Flags;
    /// <summary>IOAS id.</summary>
    public uint IoasId;
    /// <summary>Memfd to map.</summary>
    public int Fd;
    /// <summary>Byte offset in the file.</summary>
    public ulong Start;
    /// <summary>Length in bytes.</summary>
    public ulong Length;
    /// <summary>In with <see cref="IommuFdConstants.IoasMapFixedIova"/>, otherwise out.</summary>
    public ulong Iova;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasCopy"/> (<c>struct iommu_ioas_copy</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasCopy
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><c>IommuFdConstants.IoasMap*</c>.</summary>
    public uint Flags;
    /// <summary>Destination IOAS id.</summary>
    public uint DstIoasId;
    /// <summary>Source IOAS id.</summary>
    public uint SrcIoasId;
    /// <summary>Length in bytes.</summary>
    public ulong Length;
    /// <summary>Destination IOVA (in with FIXED_IOVA, otherwise out).</summary>
    public ulong DstIova;
    /// <summary>Source IOVA.</summary>
    public ulong SrcIova;
}

/// <summary>Argument of <see cref="IommuFdIoctl.IoasUnmap"/> (<c>struct iommu_ioas_unmap</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuIoasUnmap
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>IOAS id.</summary>
    public uint IoasId;
    /// <summary>IOVA; with <see cref="Length"/> a superset of whole mappings (0 and ulong.MaxValue unmap all).</summary>
    public ulong Iova;
    /// <summary>In: length; out: bytes unmapped.</summary>
    public ulong Length;
}

/// <summary>Argument of <see cref="IommuFdIoctl.Option"/> (<c>struct iommu_option</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuOption
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><c>IommuFdConstants.Option*</c>.</summary>
    public uint OptionId;
    /// <summary><c>IommuFdConstants.OptionOp*</c>.</summary>
    public ushort Op;
    /// <summary>Must be 0.</summary>
    public ushort Reserved;
    /// <summary>Object id, 0 for global options.</summary>
    public uint ObjectId;
    /// <summary>Value (in for set, out for get).</summary>
    public ulong Val64;
}

/// <summary>Argument of <see cref="IommuFdIoctl.VfioIoas"/> (<c>struct iommu_vfio_ioas</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuVfioIoas
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>IOAS id (in for set, out for get).</summary>
    public uint IoasId;
    /// <summary><c>IommuFdConstants.VfioIoas*</c>.</summary>
    public ushort Op;
    /// <summary>Must be 0.</summary>
    public ushort Reserved;
}

/// <summary>Intel VT-d stage-1 page table (<c>struct iommu_hwpt_vtd_s1</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptVtdS1
{
    /// <summary><c>IommuFdConstants.VtdS1*</c>.</summary>
    public ulong Flags;
    /// <summary>Page table address.</summary>
    public ulong PgtblAddr;
    /// <summary>Address width.</summary>
    public uint AddrWidth;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
}

/// <summary>Argument of <see cref="IommuFdIoctl.HwptAlloc"/> (<c>struct iommu_hwpt_alloc</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptAlloc
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><c>IommuFdConstants.HwptAlloc*</c>/<see cref="IommuFdConstants.HwptFaultIdValid"/>.</summary>
    public uint Flags;
    /// <summary>Device id.</summary>
    public uint DevId;
    /// <summary>IOAS or parent HWPT id.</summary>
    public uint PtId;
    /// <summary>Out: HWPT id.</summary>
    public uint OutHwptId;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary><c>IommuFdConstants.HwptData*</c>.</summary>
    public uint DataType;
    /// <summary>Length of the data at <see cref="DataUptr"/>.</summary>
    public uint DataLen;
    /// <summary>User pointer to driver-specific data.</summary>
    public ulong DataUptr;
    /// <summary>Fault object id.</summary>
    public uint FaultId;
    /// <summary>Must be 0.</summary>
    public uint Reserved2;
}

/// <summary>Intel VT-d hardware info (<c>struct iommu_hw_info_vtd</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwInfoVtd
{
    /// <summary><c>IommuFdConstants.HwInfoVtd*</c>.</summary>
    public uint Flags;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>Capability register.</summary>
    public ulong CapReg;
    /// <summary>Extended capability register.</summary>
    public ulong EcapReg;
}

/// <summary>Argument of <see cref="IommuFdIoctl.GetHwInfo"/> (<c>struct iommu_hw_info</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public unsafe struct IommuHwInfo
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Device id.</summary>
    public uint DevId;
    /// <summary>In: buffer length; out: data length.</summary>
    public uint DataLen;
    /// <summary>User pointer to the hardware info buffer.</summary>
    public ulong DataUptr;
    /// <summary>Out: <c>IommuFdConstants.HwInfoType*</c>.</summary>
    public uint OutDataType;
    /// <summary>Out: log2 of the maximum PASID.</summary>
    public byte OutMaxPasidLog2;
    /// <summary>Must be 0.</summary>
    public fixed byte Reserved[3];
    /// <summary>Out: <c>IommuFdConstants.HwCap*</c>.</summary>
    public ulong OutCapabilities;
}

/// <summary>Argument of <see cref="IommuFdIoctl.HwptSetDirtyTracking"/> (<c>struct iommu_hwpt_set_dirty_tracking</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptSetDirtyTracking
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary><see cref="IommuFdConstants.HwptDirtyTrackingEnable"/>.</summary>
    public uint Flags;
    /// <summary>HWPT id.</summary>
    public uint HwptId;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
}

/// <summary>Argument of <see cref="IommuFdIoctl.HwptGetDirtyBitmap"/> (<c>struct iommu_hwpt_get_dirty_bitmap</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptGetDirtyBitmap
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>HWPT id.</summary>
    public uint HwptId;
    /// <summary><see cref="IommuFdConstants.HwptGetDirtyBitmapNoClear"/>.</summary>
    public uint Flags;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>IOVA.</summary>
    public ulong Iova;
    /// <summary>Length.</summary>
    public ulong Length;
    /// <summary>Page size of one bit.</summary>
    public ulong PageSize;
    /// <summary>User pointer to the bitmap.</summary>
    public ulong Data;
}

/// <summary>Intel VT-d stage-1 invalidation entry (<c>struct iommu_hwpt_vtd_s1_invalidate</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptVtdS1Invalidate
{
    /// <summary>Start address.</summary>
    public ulong Addr;
    /// <summary>Number of pages.</summary>
    public ulong Npages;
    /// <summary><see cref="IommuFdConstants.VtdInvFlagsLeaf"/>.</summary>
    public uint Flags;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
}

/// <summary>Argument of <see cref="IommuFdIoctl.HwptInvalidate"/> (<c>struct iommu_hwpt_invalidate</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptInvalidate
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>HWPT id.</summary>
    public uint HwptId;
    /// <summary>User pointer to the entry array.</summary>
    public ulong DataUptr;
    /// <summary><c>IommuFdConstants.HwptInvalidateData*</c>.</summary>
    public uint DataType;
    /// <summary>Size of one entry.</summary>
    public uint EntryLen;
    /// <summary>In: entries; out: entries handled.</summary>
    public uint EntryNum;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
}

/// <summary>A page fault read from a fault queue fd (<c>struct iommu_hwpt_pgfault</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptPgfault
{
    /// <summary><c>IommuFdConstants.PgfaultFlags*</c>.</summary>
    public uint Flags;
    /// <summary>Device id.</summary>
    public uint DevId;
    /// <summary>PASID.</summary>
    public uint Pasid;
    /// <summary>Page request group id.</summary>
    public uint Grpid;
    /// <summary><c>IommuFdConstants.PgfaultPerm*</c>.</summary>
    public uint Perm;
    /// <summary>Must be 0.</summary>
    public uint Reserved;
    /// <summary>Faulting address.</summary>
    public ulong Addr;
    /// <summary>Length.</summary>
    public uint Length;
    /// <summary>Cookie to echo in the response.</summary>
    public uint Cookie;
}

/// <summary>A page response written to a fault queue fd (<c>struct iommu_hwpt_page_response</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuHwptPageResponse
{
    /// <summary>Cookie of the fault.</summary>
    public uint Cookie;
    /// <summary><c>IommuFdConstants.PageResp*</c>.</summary>
    public uint Code;
}

/// <summary>Argument of <see cref="IommuFdIoctl.FaultQueueAlloc"/> (<c>struct iommu_fault_alloc</c>).</summary>
[UapiHeader("iommufd.h"), StructLayout(LayoutKind.Sequential)]
public struct IommuFaultAlloc
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Size;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Out: fault object id.</summary>
    public uint OutFaultId;
    /// <summary>Out: fault queue fd.</summary>
    public uint OutFaultFd;
}

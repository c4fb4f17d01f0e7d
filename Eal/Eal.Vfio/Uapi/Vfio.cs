// Declarations of <linux/vfio.h> (VFIO container, group, device, cdev and type1/sPAPR IOMMU).
// Names are the C names in .NET style: struct vfio_region_info -> VfioRegionInfo, field cap_offset ->
// CapOffset, macro VFIO_REGION_INFO_FLAG_READ -> VfioConstants.RegionInfoFlagRead, request VFIO_DEVICE_GET_INFO ->
// VfioIoctl.DeviceGetInfo. Every item is pinned by Tests/Eal.Vfio.Tests/Golden/uapi-golden.txt.
using System.Runtime.InteropServices;

namespace Eal.Vfio.Uapi;

/// <summary>Constants of <c>linux/vfio.h</c> (flags, indexes, capability ids, IOMMU types).</summary>
public static class VfioConstants
{
    #region API version, IOMMU types and extensions

    /// <summary>Value <see cref="VfioIoctl.GetApiVersion"/> must return (<c>VFIO_API_VERSION</c>).</summary>
    public const int ApiVersion = 0;
    /// <summary>Type1 IOMMU (<c>VFIO_TYPE1_IOMMU</c>).</summary>
    public const uint Type1Iommu = 1;
    /// <summary>sPAPR TCE IOMMU (<c>VFIO_SPAPR_TCE_IOMMU</c>).</summary>
    public const uint SpaprTceIommu = 2;
    /// <summary>Type1 v2 IOMMU, allows partial unmap (<c>VFIO_TYPE1v2_IOMMU</c>).</summary>
    public const uint Type1v2Iommu = 3;
    /// <summary>Extension: IOMMU enforces DMA cache coherence (<c>VFIO_DMA_CC_IOMMU</c>).</summary>
    public const uint DmaCcIommu = 4;
    /// <summary>Extension: EEH (<c>VFIO_EEH</c>).</summary>
    public const uint Eeh = 5;
    /// <summary>Type1 nesting IOMMU (<c>VFIO_TYPE1_NESTING_IOMMU</c>).</summary>
    public const uint Type1NestingIommu = 6;
    /// <summary>sPAPR TCE v2 IOMMU (<c>VFIO_SPAPR_TCE_v2_IOMMU</c>).</summary>
    public const uint SpaprTceV2Iommu = 7;
    /// <summary>No-IOMMU mode (<c>VFIO_NOIOMMU_IOMMU</c>).</summary>
    public const uint NoiommuIommu = 8;
    /// <summary>Extension: unmap with <see cref="DmaUnmapFlagAll"/> (<c>VFIO_UNMAP_ALL</c>).</summary>
    public const uint UnmapAll = 9;
    /// <summary>Extension: map/unmap with the VADDR flag (<c>VFIO_UPDATE_VADDR</c>).</summary>
    public const uint UpdateVaddr = 10;
    /// <summary>Ioctl type byte, <c>';'</c> (<c>VFIO_TYPE</c>).</summary>
    public const uint Type = ';';
    /// <summary>First VFIO command number (<c>VFIO_BASE</c>).</summary>
    public const uint Base = 100;

    #endregion

    #region Group and device info flags

    /// <summary>All devices of the group are bound to VFIO (<c>VFIO_GROUP_FLAGS_VIABLE</c>).</summary>
    public const uint GroupFlagsViable = 1 << 0;
    /// <summary>The group is attached to a container (<c>VFIO_GROUP_FLAGS_CONTAINER_SET</c>).</summary>
    public const uint GroupFlagsContainerSet = 1 << 1;
    /// <summary>Device supports reset (<c>VFIO_DEVICE_FLAGS_RESET</c>).</summary>
    public const uint DeviceFlagsReset = 1 << 0;
    /// <summary>vfio-pci device (<c>VFIO_DEVICE_FLAGS_PCI</c>).</summary>
    public const uint DeviceFlagsPci = 1 << 1;
    /// <summary>vfio-platform device (<c>VFIO_DEVICE_FLAGS_PLATFORM</c>).</summary>
    public const uint DeviceFlagsPlatform = 1 << 2;
    /// <summary>vfio-amba device (<c>VFIO_DEVICE_FLAGS_AMBA</c>).</summary>
    public const uint DeviceFlagsAmba = 1 << 3;
    /// <summary>vfio-ccw device (<c>VFIO_DEVICE_FLAGS_CCW</c>).</summary>
    public const uint DeviceFlagsCcw = 1 << 4;
    /// <summary>vfio-ap device (<c>VFIO_DEVICE_FLAGS_AP</c>).</summary>
    public const uint DeviceFlagsAp = 1 << 5;
    /// <summary>vfio-fsl-mc device (<c>VFIO_DEVICE_FLAGS_FSL_MC</c>).</summary>
    public const uint DeviceFlagsFslMc = 1 << 6;
    /// <summary>Device info has a capability chain (<c>VFIO_DEVICE_FLAGS_CAPS</c>).</summary>
    public const uint DeviceFlagsCaps = 1 << 7;
    /// <summary>vfio-cdx device (<c>VFIO_DEVICE_FLAGS_CDX</c>).</summary>
    public const uint DeviceFlagsCdx = 1 << 8;
    /// <summary>Device info capability: zPCI base (<c>VFIO_DEVICE_INFO_CAP_ZPCI_BASE</c>).</summary>
    public const uint DeviceInfoCapZpciBase = 1;
    /// <summary>Device info capability: zPCI group (<c>VFIO_DEVICE_INFO_CAP_ZPCI_GROUP</c>).</summary>
    public const uint DeviceInfoCapZpciGroup = 2;
    /// <summary>Device info capability: zPCI utility string (<c>VFIO_DEVICE_INFO_CAP_ZPCI_UTIL</c>).</summary>
    public const uint DeviceInfoCapZpciUtil = 3;
    /// <summary>Device info capability: zPCI function path (<c>VFIO_DEVICE_INFO_CAP_ZPCI_PFIP</c>).</summary>
    public const uint DeviceInfoCapZpciPfip = 4;
    /// <summary>Device info capability: PCIe atomic completer (<c>VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP</c>).</summary>
    public const uint DeviceInfoCapPciAtomicComp = 5;
    /// <summary>32-bit atomic completer supported (<c>VFIO_PCI_ATOMIC_COMP32</c>).</summary>
    public const uint PciAtomicComp32 = 1 << 0;
    /// <summary>64-bit atomic completer supported (<c>VFIO_PCI_ATOMIC_COMP64</c>).</summary>
    public const uint PciAtomicComp64 = 1 << 1;
    /// <summary>128-bit CAS completer supported (<c>VFIO_PCI_ATOMIC_COMP128</c>).</summary>
    public const uint PciAtomicComp128 = 1 << 2;

    #endregion

    #region Regions: flags, capabilities, types

    /// <summary>Region supports read (<c>VFIO_REGION_INFO_FLAG_READ</c>).</summary>
    public const uint RegionInfoFlagRead = 1 << 0;
    /// <summary>Region supports write (<c>VFIO_REGION_INFO_FLAG_WRITE</c>).</summary>
    public const uint RegionInfoFlagWrite = 1 << 1;
    /// <summary>Region supports mmap (<c>VFIO_REGION_INFO_FLAG_MMAP</c>).</summary>
    public const uint RegionInfoFlagMmap = 1 << 2;
    /// <summary>Region info has a capability chain (<c>VFIO_REGION_INFO_FLAG_CAPS</c>).</summary>
    public const uint RegionInfoFlagCaps = 1 << 3;
    /// <summary>Capability: only listed areas are mmapable (<c>VFIO_REGION_INFO_CAP_SPARSE_MMAP</c>).</summary>
    public const ushort RegionInfoCapSparseMmap = 1;
    /// <summary>Capability: region type/subtype (<c>VFIO_REGION_INFO_CAP_TYPE</c>).</summary>
    public const ushort RegionInfoCapType = 2;
    /// <summary>Capability: the MSI-X table may be mmapped (<c>VFIO_REGION_INFO_CAP_MSIX_MAPPABLE</c>).</summary>
    public const ushort RegionInfoCapMsixMappable = 3;
    /// <summary>Capability: NVLink2 target address (<c>VFIO_REGION_INFO_CAP_NVLINK2_SSATGT</c>).</summary>
    public const ushort RegionInfoCapNvlink2Ssatgt = 4;
    /// <summary>Capability: NVLink2 link speed, deprecated (<c>VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD</c>).</summary>
    public const ushort RegionInfoCapNvlink2Lnkspd = 5;
    /// <summary>Region type bit: PCI vendor specific (<c>VFIO_REGION_TYPE_PCI_VENDOR_TYPE</c>).</summary>
    public const uint RegionTypePciVendorType = 1u << 31;
    /// <summary>Vendor id mask of a vendor region type (<c>VFIO_REGION_TYPE_PCI_VENDOR_MASK</c>).</summary>
    public const uint RegionTypePciVendorMask = 0xffff;
    /// <summary>Region type: graphics (<c>VFIO_REGION_TYPE_GFX</c>).</summary>
    public const uint RegionTypeGfx = 1;
    /// <summary>Region type: channel I/O (<c>VFIO_REGION_TYPE_CCW</c>).</summary>
    public const uint RegionTypeCcw = 2;
    /// <summary>Region type: v1 migration, deprecated (<c>VFIO_REGION_TYPE_MIGRATION_DEPRECATED</c>).</summary>
    public const uint RegionTypeMigrationDeprecated = 3;
    /// <summary>Intel IGD OpRegion (<c>VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION</c>).</summary>
    public const uint RegionSubtypeIntelIgdOpregion = 1;
    /// <summary>Intel IGD host config (<c>VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG</c>).</summary>
    public const uint RegionSubtypeIntelIgdHostCfg = 2;
    /// <summary>Intel IGD LPC config (<c>VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG</c>).</summary>
    public const uint RegionSubtypeIntelIgdLpcCfg = 3;
    /// <summary>NVIDIA NVLink2 RAM (<c>VFIO_REGION_SUBTYPE_NVIDIA_NVLINK2_RAM</c>).</summary>
    public const uint RegionSubtypeNvidiaNvlink2Ram = 1;
    /// <summary>IBM NVLink2 ATSD (<c>VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD</c>).</summary>
    public const uint RegionSubtypeIbmNvlink2Atsd = 1;
    /// <summary>Graphics EDID (<c>VFIO_REGION_SUBTYPE_GFX_EDID</c>).</summary>
    public const uint RegionSubtypeGfxEdid = 1;
    /// <summary>EDID link up (<c>VFIO_DEVICE_GFX_LINK_STATE_UP</c>).</summary>
    public const uint DeviceGfxLinkStateUp = 1;
    /// <summary>EDID link down (<c>VFIO_DEVICE_GFX_LINK_STATE_DOWN</c>).</summary>
    public const uint DeviceGfxLinkStateDown = 2;
    /// <summary>CCW async command region (<c>VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD</c>).</summary>
    public const uint RegionSubtypeCcwAsyncCmd = 1;
    /// <summary>CCW SCHIB region (<c>VFIO_REGION_SUBTYPE_CCW_SCHIB</c>).</summary>
    public const uint RegionSubtypeCcwSchib = 2;
    /// <summary>CCW CRW region (<c>VFIO_REGION_SUBTYPE_CCW_CRW</c>).</summary>
    public const uint RegionSubtypeCcwCrw = 3;
    /// <summary>v1 migration region, deprecated (<c>VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED</c>).</summary>
    public const uint RegionSubtypeMigrationDeprecated = 1;
    /// <summary>v1 migration state: stopped (<c>VFIO_DEVICE_STATE_V1_STOP</c>).</summary>
    public const uint DeviceStateV1Stop = 0;
    /// <summary>v1 migration state: running (<c>VFIO_DEVICE_STATE_V1_RUNNING</c>).</summary>
    public const uint DeviceStateV1Running = 1 << 0;
    /// <summary>v1 migration state: saving (<c>VFIO_DEVICE_STATE_V1_SAVING</c>).</summary>
    public const uint DeviceStateV1Saving = 1 << 1;
    /// <summary>v1 migration state: resuming (<c>VFIO_DEVICE_STATE_V1_RESUMING</c>).</summary>
    public const uint DeviceStateV1Resuming = 1 << 2;
    /// <summary>v1 migration state mask (<c>VFIO_DEVICE_STATE_MASK</c>).</summary>
    public const uint DeviceStateMask = DeviceStateV1Running | DeviceStateV1Saving | DeviceStateV1Resuming;

    #endregion

    #region vfio-pci, ccw and ap region and IRQ indexes

    /// <summary>BAR0 region (<c>VFIO_PCI_BAR0_REGION_INDEX</c>).</summary>
    public const uint PciBar0RegionIndex = 0;
    /// <summary>BAR1 region (<c>VFIO_PCI_BAR1_REGION_INDEX</c>).</summary>
    public const uint PciBar1RegionIndex = 1;
    /// <summary>BAR2 region (<c>VFIO_PCI_BAR2_REGION_INDEX</c>).</summary>
    public const uint PciBar2RegionIndex = 2;
    /// <summary>BAR3 region (<c>VFIO_PCI_BAR3_REGION_INDEX</c>).</summary>
    public const uint PciBar3RegionIndex = 3;
    /// <summary>BAR4 region (<c>VFIO_PCI_BAR4_REGION_INDEX</c>).</summary>
    public const uint PciBar4RegionIndex = 4;
    /// <summary>BAR5 region (<c>VFIO_PCI_BAR5_REGION_INDEX</c>).</summary>
    public const uint PciBar5RegionIndex = 5;
    /// <summary>Expansion ROM region (<c>VFIO_PCI_ROM_REGION_INDEX</c>).</summary>
    public const uint PciRomRegionIndex = 6;
    /// <summary>Config space region (<c>VFIO_PCI_CONFIG_REGION_INDEX</c>).</summary>
    public const uint PciConfigRegionIndex = 7;
    /// <summary>Legacy VGA region (<c>VFIO_PCI_VGA_REGION_INDEX</c>).</summary>
    public const uint PciVgaRegionIndex = 8;
    /// <summary>Fixed vfio-pci regions; higher indexes are device specific (<c>VFIO_PCI_NUM_REGIONS</c>).</summary>
    public const uint PciNumRegions = 9;
    /// <summary>INTx IRQ index (<c>VFIO_PCI_INTX_IRQ_INDEX</c>).</summary>
    public const uint PciIntxIrqIndex = 0;
    /// <summary>MSI IRQ index (<c>VFIO_PCI_MSI_IRQ_INDEX</c>).</summary>
    public const uint PciMsiIrqIndex = 1;
    /// <summary>MSI-X IRQ index (<c>VFIO_PCI_MSIX_IRQ_INDEX</c>).</summary>
    public const uint PciMsixIrqIndex = 2;
    /// <summary>AER error IRQ index (<c>VFIO_PCI_ERR_IRQ_INDEX</c>).</summary>
    public const uint PciErrIrqIndex = 3;
    /// <summary>Device request IRQ index (<c>VFIO_PCI_REQ_IRQ_INDEX</c>).</summary>
    public const uint PciReqIrqIndex = 4;
    /// <summary>Number of vfio-pci IRQ indexes (<c>VFIO_PCI_NUM_IRQS</c>).</summary>
    public const uint PciNumIrqs = 5;
    /// <summary>CCW config region (<c>VFIO_CCW_CONFIG_REGION_INDEX</c>).</summary>
    public const uint CcwConfigRegionIndex = 0;
    /// <summary>Number of CCW regions (<c>VFIO_CCW_NUM_REGIONS</c>).</summary>
    public const uint CcwNumRegions = 1;
    /// <summary>CCW I/O IRQ (<c>VFIO_CCW_IO_IRQ_INDEX</c>).</summary>
    public const uint CcwIoIrqIndex = 0;
    /// <summary>CCW CRW IRQ (<c>VFIO_CCW_CRW_IRQ_INDEX</c>).</summary>
    public const uint CcwCrwIrqIndex = 1;
    /// <summary>CCW request IRQ (<c>VFIO_CCW_REQ_IRQ_INDEX</c>).</summary>
    public const uint CcwReqIrqIndex = 2;
    /// <summary>Number of CCW IRQs (<c>VFIO_CCW_NUM_IRQS</c>).</summary>
    public const uint CcwNumIrqs = 3;
    /// <summary>AP request IRQ (<c>VFIO_AP_REQ_IRQ_INDEX</c>).</summary>
    public const uint ApReqIrqIndex = 0;
    /// <summary>Number of AP IRQs (<c>VFIO_AP_NUM_IRQS</c>).</summary>
    public const uint ApNumIrqs = 1;

    #endregion

    #region IRQ info and set flags

    /// <summary>IRQ can signal an eventfd (<c>VFIO_IRQ_INFO_EVENTFD</c>).</summary>
    public const uint IrqInfoEventfd = 1 << 0;
    /// <summary>IRQ can be masked (<c>VFIO_IRQ_INFO_MASKABLE</c>).</summary>
    public const uint IrqInfoMaskable = 1 << 1;
    /// <summary>IRQ is masked automatically when it fires (<c>VFIO_IRQ_INFO_AUTOMASKED</c>).</summary>
    public const uint IrqInfoAutomasked = 1 << 2;
    /// <summary>IRQ count cannot be changed once enabled (<c>VFIO_IRQ_INFO_NORESIZE</c>).</summary>
    public const uint IrqInfoNoresize = 1 << 3;
    /// <summary>No payload (<c>VFIO_IRQ_SET_DATA_NONE</c>).</summary>
    public const uint IrqSetDataNone = 1 << 0;
    /// <summary>Payload is <c>u8[count]</c> booleans (<c>VFIO_IRQ_SET_DATA_BOOL</c>).</summary>
    public const uint IrqSetDataBool = 1 << 1;
    /// <summary>Payload is <c>s32[count]</c> eventfds, -1 to de-assign (<c>VFIO_IRQ_SET_DATA_EVENTFD</c>).</summary>
    public const uint IrqSetDataEventfd = 1 << 2;
    /// <summary>Mask action (<c>VFIO_IRQ_SET_ACTION_MASK</c>).</summary>
    public const uint IrqSetActionMask = 1 << 3;
    /// <summary>Unmask action (<c>VFIO_IRQ_SET_ACTION_UNMASK</c>).</summary>
    public const uint IrqSetActionUnmask = 1 << 4;
    /// <summary>Trigger action (<c>VFIO_IRQ_SET_ACTION_TRIGGER</c>).</summary>
    public const uint IrqSetActionTrigger = 1 << 5;
    /// <summary>All data-type bits (<c>VFIO_IRQ_SET_DATA_TYPE_MASK</c>).</summary>
    public const uint IrqSetDataTypeMask = IrqSetDataNone | IrqSetDataBool | IrqSetDataEventfd;
    /// <summary>All action bits (<c>VFIO_IRQ_SET_ACTION_TYPE_MASK</c>).</summary>
    public const uint IrqSetActionTypeMask = IrqSetActionMask | IrqSetActionUnmask | IrqSetActionTrigger;

    #endregion

    #region PCI hot reset, graphics, ioeventfd

    /// <summary>Dependent device id is owned by this user (<c>VFIO_PCI_DEVID_OWNED</c>).</summary>
    public const int PciDevidOwned = 0;
    /// <summary>Dependent device id is not owned by this user (<c>VFIO_PCI_DEVID_NOT_OWNED</c>).</summary>
    public const int PciDevidNotOwned = -1;
    /// <summary>Hot reset info reports device ids (<c>VFIO_PCI_HOT_RESET_FLAG_DEV_ID</c>).</summary>
    public const uint PciHotResetFlagDevId = 1 << 0;
    /// <summary>All affected devices are owned (<c>VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED</c>).</summary>
    public const uint PciHotResetFlagDevIdOwned = 1 << 1;
    /// <summary>Probe plane type support (<c>VFIO_GFX_PLANE_TYPE_PROBE</c>).</summary>
    public const uint GfxPlaneTypeProbe = 1 << 0;
    /// <summary>Plane exported as dma-buf (<c>VFIO_GFX_PLANE_TYPE_DMABUF</c>).</summary>
    public const uint GfxPlaneTypeDmabuf = 1 << 1;
    /// <summary>Plane exposed as a region (<c>VFIO_GFX_PLANE_TYPE_REGION</c>).</summary>
    public const uint GfxPlaneTypeRegion = 1 << 2;
    /// <summary>1-byte ioeventfd write (<c>VFIO_DEVICE_IOEVENTFD_8</c>).</summary>
    public const uint DeviceIoeventfd8 = 1 << 0;
    /// <summary>2-byte ioeventfd write (<c>VFIO_DEVICE_IOEVENTFD_16</c>).</summary>
    public const uint DeviceIoeventfd16 = 1 << 1;
    /// <summary>4-byte ioeventfd write (<c>VFIO_DEVICE_IOEVENTFD_32</c>).</summary>
    public const uint DeviceIoeventfd32 = 1 << 2;
    /// <summary>8-byte ioeventfd write (<c>VFIO_DEVICE_IOEVENTFD_64</c>).</summary>
    public const uint DeviceIoeventfd64 = 1 << 3;
    /// <summary>Size bits of ioeventfd flags (<c>VFIO_DEVICE_IOEVENTFD_SIZE_MASK</c>).</summary>
    public const uint DeviceIoeventfdSizeMask = 0xf;

    #endregion

    #region Device features and cdev (IOMMUFD) binding

    /// <summary>Feature index bits of <see cref="VfioDeviceFeature.Flags"/> (<c>VFIO_DEVICE_FEATURE_MASK</c>).</summary>
    public const uint DeviceFeatureMask = 0xffff;
    /// <summary>Get the feature into data (<c>VFIO_DEVICE_FEATURE_GET</c>).</summary>
    public const uint DeviceFeatureGet = 1 << 16;
    /// <summary>Set the feature from data (<c>VFIO_DEVICE_FEATURE_SET</c>).</summary>
    public const uint DeviceFeatureSet = 1 << 17;
    /// <summary>Probe feature support (<c>VFIO_DEVICE_FEATURE_PROBE</c>).</summary>
    public const uint DeviceFeatureProbe = 1 << 18;
    /// <summary>Bind with a VF token (<c>VFIO_DEVICE_BIND_FLAG_TOKEN</c>, Linux 6.17).</summary>
    [UapiSince(6, 17)]
    public const uint DeviceBindFlagToken = 1 << 0;
    /// <summary>Attach a PASID (<c>VFIO_DEVICE_ATTACH_PASID</c>, Linux 6.13).</summary>
    [UapiSince(6, 13)]
    public const uint DeviceAttachPasid = 1 << 0;
    /// <summary>Detach a PASID (<c>VFIO_DEVICE_DETACH_PASID</c>, Linux 6.13).</summary>
    [UapiSince(6, 13)]
    public const uint DeviceDetachPasid = 1 << 0;
    /// <summary>Feature: PCI SR-IOV VF token (<c>VFIO_DEVICE_FEATURE_PCI_VF_TOKEN</c>).</summary>
    public const uint DeviceFeaturePciVfToken = 0;
    /// <summary>Feature: migration support (<c>VFIO_DEVICE_FEATURE_MIGRATION</c>).</summary>
    public const uint DeviceFeatureMigration = 1;
    /// <summary>Feature: migration device state (<c>VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE</c>).</summary>
    public const uint DeviceFeatureMigDeviceState = 2;
    /// <summary>Feature: low power entry (<c>VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY</c>).</summary>
    public const uint DeviceFeatureLowPowerEntry = 3;
    /// <summary>Feature: low power entry with wakeup (<c>VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP</c>).</summary>
    public const uint DeviceFeatureLowPowerEntryWithWakeup = 4;
    /// <summary>Feature: low power exit (<c>VFIO_DEVICE_FEATURE_LOW_POWER_EXIT</c>).</summary>
    public const uint DeviceFeatureLowPowerExit = 5;
    /// <summary>Feature: start DMA dirty logging (<c>VFIO_DEVICE_FEATURE_DMA_LOGGING_START</c>).</summary>
    public const uint DeviceFeatureDmaLoggingStart = 6;
    /// <summary>Feature: stop DMA dirty logging (<c>VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP</c>).</summary>
    public const uint DeviceFeatureDmaLoggingStop = 7;
    /// <summary>Feature: DMA dirty log report (<c>VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT</c>).</summary>
    public const uint DeviceFeatureDmaLoggingReport = 8;
    /// <summary>Feature: migration data size (<c>VFIO_DEVICE_FEATURE_MIG_DATA_SIZE</c>).</summary>
    public const uint DeviceFeatureMigDataSize = 9;
    /// <summary>Feature: bus master control (<c>VFIO_DEVICE_FEATURE_BUS_MASTER</c>).</summary>
    public const uint DeviceFeatureBusMaster = 10;
    /// <summary>Bus master op: clear (<c>VFIO_DEVICE_FEATURE_CLEAR_MASTER</c>).</summary>
    public const uint DeviceFeatureClearMaster = 0;
    /// <summary>Bus master op: set (<c>VFIO_DEVICE_FEATURE_SET_MASTER</c>).</summary>
    public const uint DeviceFeatureSetMaster = 1;
    /// <summary>Migration: STOP_COPY supported (<c>VFIO_MIGRATION_STOP_COPY</c>).</summary>
    public const ulong MigrationStopCopy = 1 << 0;
    /// <summary>Migration: P2P states supported (<c>VFIO_MIGRATION_P2P</c>).</summary>
    public const ulong MigrationP2p = 1 << 1;
    /// <summary>Migration: PRE_COPY supported (<c>VFIO_MIGRATION_PRE_COPY</c>).</summary>
    public const ulong MigrationPreCopy = 1 << 2;
    /// <summary>Migration state ERROR (<c>VFIO_DEVICE_STATE_ERROR</c>).</summary>
    public const uint DeviceStateError = 0;
    /// <summary>Migration state STOP (<c>VFIO_DEVICE_STATE_STOP</c>).</summary>
    public const uint DeviceStateStop = 1;
    /// <summary>Migration state RUNNING (<c>VFIO_DEVICE_STATE_RUNNING</c>).</summary>
    public const uint DeviceStateRunning = 2;
    /// <summary>Migration state STOP_COPY (<c>VFIO_DEVICE_STATE_STOP_COPY</c>).</summary>
    public const uint DeviceStateStopCopy = 3;
    /// <summary>Migration state RESUMING (<c>VFIO_DEVICE_STATE_RESUMING</c>).</summary>
    public const uint DeviceStateResuming = 4;
    /// <summary>Migration state RUNNING_P2P (<c>VFIO_DEVICE_STATE_RUNNING_P2P</c>).</summary>
    public const uint DeviceStateRunningP2p = 5;
    /// <summary>Migration state PRE_COPY (<c>VFIO_DEVICE_STATE_PRE_COPY</c>).</summary>
    public const uint DeviceStatePreCopy = 6;
    /// <summary>Migration state PRE_COPY_P2P (<c>VFIO_DEVICE_STATE_PRE_COPY_P2P</c>).</summary>
    public const uint DeviceStatePreCopyP2p = 7;
    /// <summary>Number of migration states (<c>VFIO_DEVICE_STATE_NR</c>).</summary>
    public const uint DeviceStateNr = 8;

    #endregion

    #region Type1 IOMMU

    /// <summary><see cref="VfioIommuType1Info.IovaPgsizes"/> is valid (<c>VFIO_IOMMU_INFO_PGSIZES</c>).</summary>
    public const uint IommuInfoPgsizes = 1 << 0;
    /// <summary>IOMMU info has a capability chain (<c>VFIO_IOMMU_INFO_CAPS</c>).</summary>
    public const uint IommuInfoCaps = 1 << 1;
    /// <summary>Capability: valid IOVA ranges (<c>VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE</c>).</summary>
    public const ushort IommuType1InfoCapIovaRange = 1;
    /// <summary>Capability: dirty tracking for migration (<c>VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION</c>).</summary>
    public const ushort IommuType1InfoCapMigration = 2;
    /// <summary>Capability: remaining DMA mappings (<c>VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL</c>).</summary>
    public const ushort IommuType1InfoDmaAvail = 3;
    /// <summary>Device may read the mapping (<c>VFIO_DMA_MAP_FLAG_READ</c>).</summary>
    public const uint DmaMapFlagRead = 1 << 0;
    /// <summary>Device may write the mapping (<c>VFIO_DMA_MAP_FLAG_WRITE</c>).</summary>
    public const uint DmaMapFlagWrite = 1 << 1;
    /// <summary>Update the vaddr of an existing mapping (<c>VFIO_DMA_MAP_FLAG_VADDR</c>).</summary>
    public const uint DmaMapFlagVaddr = 1 << 2;
    /// <summary>Return the dirty bitmap while unmapping (<c>VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP</c>).</summary>
    public const uint DmaUnmapFlagGetDirtyBitmap = 1 << 0;
    /// <summary>Unmap everything (<c>VFIO_DMA_UNMAP_FLAG_ALL</c>).</summary>
    public const uint DmaUnmapFlagAll = 1 << 1;
    /// <summary>Invalidate the vaddr only (<c>VFIO_DMA_UNMAP_FLAG_VADDR</c>).</summary>
    public const uint DmaUnmapFlagVaddr = 1 << 2;
    /// <summary>Start dirty page tracking (<c>VFIO_IOMMU_DIRTY_PAGES_FLAG_START</c>).</summary>
    public const uint IommuDirtyPagesFlagStart = 1 << 0;
    /// <summary>Stop dirty page tracking (<c>VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP</c>).</summary>
    public const uint IommuDirtyPagesFlagStop = 1 << 1;
    /// <summary>Get the dirty bitmap (<c>VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP</c>).</summary>
    public const uint IommuDirtyPagesFlagGetBitmap = 1 << 2;

    #endregion

    #region sPAPR IOMMU and EEH

    /// <summary>Dynamic DMA windows supported (<c>VFIO_IOMMU_SPAPR_INFO_DDW</c>).</summary>
    public const uint IommuSpaprInfoDdw = 1 << 0;
    /// <summary>EEH op: disable (<c>VFIO_EEH_PE_DISABLE</c>).</summary>
    public const uint EehPeDisable = 0;
    /// <summary>EEH op: enable (<c>VFIO_EEH_PE_ENABLE</c>).</summary>
    public const uint EehPeEnable = 1;
    /// <summary>EEH op: unfreeze I/O (<c>VFIO_EEH_PE_UNFREEZE_IO</c>).</summary>
    public const uint EehPeUnfreezeIo = 2;
    /// <summary>EEH op: unfreeze DMA (<c>VFIO_EEH_PE_UNFREEZE_DMA</c>).</summary>
    public const uint EehPeUnfreezeDma = 3;
    /// <summary>EEH op: get state (<c>VFIO_EEH_PE_GET_STATE</c>).</summary>
    public const uint EehPeGetState = 4;
    /// <summary>EEH state: normal (<c>VFIO_EEH_PE_STATE_NORMAL</c>).</summary>
    public const uint EehPeStateNormal = 0;
    /// <summary>EEH state: reset in progress (<c>VFIO_EEH_PE_STATE_RESET</c>).</summary>
    public const uint EehPeStateReset = 1;
    /// <summary>EEH state: DMA and I/O stopped (<c>VFIO_EEH_PE_STATE_STOPPED</c>).</summary>
    public const uint EehPeStateStopped = 2;
    /// <summary>EEH state: DMA stopped (<c>VFIO_EEH_PE_STATE_STOPPED_DMA</c>).</summary>
    public const uint EehPeStateStoppedDma = 4;
    /// <summary>EEH state: unavailable (<c>VFIO_EEH_PE_STATE_UNAVAIL</c>).</summary>
    public const uint EehPeStateUnavail = 5;
    /// <summary>EEH op: deassert reset (<c>VFIO_EEH_PE_RESET_DEACTIVATE</c>).</summary>
    public const uint EehPeResetDeactivate = 5;
    /// <summary>EEH op: hot reset (<c>VFIO_EEH_PE_RESET_HOT</c>).</summary>
    public const uint EehPeResetHot = 6;
    /// <summary>EEH op: fundamental reset (<c>VFIO_EEH_PE_RESET_FUNDAMENTAL</c>).</summary>
    public const uint EehPeResetFundamental = 7;
    /// <summary>EEH op: configure (<c>VFIO_EEH_PE_CONFIGURE</c>).</summary>
    public const uint EehPeConfigure = 8;
    /// <summary>EEH op: inject error (<c>VFIO_EEH_PE_INJECT_ERR</c>).</summary>
    public const uint EehPeInjectErr = 9;

    #endregion
}

/// <summary>
/// Request codes of <c>linux/vfio.h</c>, all <c>_IO(';', VFIO_BASE + n)</c>. Numbers 112-120 are reused:
/// container-fd (type1/sPAPR) and device-fd requests share them; the fd type disambiguates.
/// </summary>
public static class VfioIoctl
{
    private const uint Io = VfioConstants.Type << IoctlCode.TypeShift;

    #region Container

    /// <summary>Returns <see cref="VfioConstants.ApiVersion"/>; no argument (<c>VFIO_GET_API_VERSION</c>).</summary>
    public const uint GetApiVersion = Io | (VfioConstants.Base + 0);
    /// <summary>Returns 1 if the IOMMU type/extension passed by value is supported (<c>VFIO_CHECK_EXTENSION</c>).</summary>
    public const uint CheckExtension = Io | (VfioConstants.Base + 1);
    /// <summary>Sets the IOMMU type passed by value (<c>VFIO_SET_IOMMU</c>).</summary>
    public const uint SetIommu = Io | (VfioConstants.Base + 2);

    #endregion

    #region Group

    /// <summary>Arg: <see cref="VfioGroupStatus"/>* (<c>VFIO_GROUP_GET_STATUS</c>).</summary>
    public const uint GroupGetStatus = Io | (VfioConstants.Base + 3);
    /// <summary>Arg: <c>int*</c> container fd (<c>VFIO_GROUP_SET_CONTAINER</c>).</summary>
    public const uint GroupSetContainer = Io | (VfioConstants.Base + 4);
    /// <summary>No argument (<c>VFIO_GROUP_UNSET_CONTAINER</c>).</summary>
    public const uint GroupUnsetContainer = Io | (VfioConstants.Base + 5);
    /// <summary>Arg: NUL-terminated device name; returns a device fd (<c>VFIO_GROUP_GET_DEVICE_FD</c>).</summary>
    public const uint GroupGetDeviceFd = Io | (VfioConstants.Base + 6);

    #endregion

    #region Device

    /// <summary>Arg: <see cref="VfioDeviceInfo"/>* (<c>VFIO_DEVICE_GET_INFO</c>).</summary>
    public const uint DeviceGetInfo = Io | (VfioConstants.Base + 7);
    /// <summary>Arg: <see cref="VfioRegionInfo"/>* plus capability chain (<c>VFIO_DEVICE_GET_REGION_INFO</c>).</summary>
    public const uint DeviceGetRegionInfo = Io | (VfioConstants.Base + 8);
    /// <summary>Arg: <see cref="VfioIrqInfo"/>* (<c>VFIO_DEVICE_GET_IRQ_INFO</c>).</summary>
    public const uint DeviceGetIrqInfo = Io | (VfioConstants.Base + 9);
    /// <summary>Arg: <see cref="VfioIrqSet"/>* plus payload (<c>VFIO_DEVICE_SET_IRQS</c>).</summary>
    public const uint DeviceSetIrqs = Io | (VfioConstants.Base + 10);
    /// <summary>No argument (<c>VFIO_DEVICE_RESET</c>).</summary>
    public const uint DeviceReset = Io | (VfioConstants.Base + 11);
    /// <summary>Arg: <see cref="VfioPciHotResetInfo"/>* (<c>VFIO_DEVICE_GET_PCI_HOT_RESET_INFO</c>).</summary>
    public const uint DeviceGetPciHotResetInfo = Io | (VfioConstants.Base + 12);
    /// <summary>Arg: <see cref="VfioPciHotReset"/>* (<c>VFIO_DEVICE_PCI_HOT_RESET</c>).</summary>
    public const uint DevicePciHotReset = Io | (VfioConstants.Base + 13);
    /// <summary>Arg: <see cref="VfioDeviceGfxPlaneInfo"/>* (<c>VFIO_DEVICE_QUERY_GFX_PLANE</c>).</summary>
    public const uint DeviceQueryGfxPlane = Io | (VfioConstants.Base + 14);
    /// <summary>Arg: <c>u32*</c> dmabuf id; returns a dma-buf fd (<c>VFIO_DEVICE_GET_GFX_DMABUF</c>).</summary>
    public const uint DeviceGetGfxDmabuf = Io | (VfioConstants.Base + 15);
    /// <summary>Arg: <see cref="VfioDeviceIoeventfd"/>* (<c>VFIO_DEVICE_IOEVENTFD</c>).</summary>
    public const uint DeviceIoeventfd = Io | (VfioConstants.Base + 16);
    /// <summary>Arg: <see cref="VfioDeviceFeature"/>* plus data (<c>VFIO_DEVICE_FEATURE</c>).</summary>
    public const uint DeviceFeature = Io | (VfioConstants.Base + 17);
    /// <summary>Arg: <see cref="VfioDeviceBindIommufd"/>*, on a cdev fd (<c>VFIO_DEVICE_BIND_IOMMUFD</c>).</summary>
    public const uint DeviceBindIommufd = Io | (VfioConstants.Base + 18);
    /// <summary>Arg: <see cref="VfioDeviceAttachIommufdPt"/>*, on a cdev fd (<c>VFIO_DEVICE_ATTACH_IOMMUFD_PT</c>).</summary>
    public const uint DeviceAttachIommufdPt = Io | (VfioConstants.Base + 19);
    /// <summary>Arg: <see cref="VfioDeviceDetachIommufdPt"/>*, on a cdev fd (<c>VFIO_DEVICE_DETACH_IOMMUFD_PT</c>).</summary>
    public const uint DeviceDetachIommufdPt = Io | (VfioConstants.Base + 20);
    /// <summary>Arg: <see cref="VfioPrecopyInfo"/>*, on a migration data fd (<c>VFIO_MIG_GET_PRECOPY_INFO</c>).</summary>
    public const uint MigGetPrecopyInfo = Io | (VfioConstants.Base + 21);

    #endregion

    #region Type1 IOMMU (container fd)

    /// <summary>Arg: <see cref="VfioIommuType1Info"/>* plus capability chain (<c>VFIO_IOMMU_GET_INFO</c>).</summary>
    public const uint IommuGetInfo = Io | (VfioConstants.Base + 12);
    /// <summary>Arg: <see cref="VfioIommuType1DmaMap"/>* (<c>VFIO_IOMMU_MAP_DMA</c>).</summary>
    public const uint IommuMapDma = Io | (VfioConstants.Base + 13);
    /// <summary>Arg: <see cref="VfioIommuType1DmaUnmap"/>*; the kernel writes back the unmapped size (<c>VFIO_IOMMU_UNMAP_DMA</c>).</summary>
    public const uint IommuUnmapDma = Io | (VfioConstants.Base + 14);
    /// <summary>No argument (<c>VFIO_IOMMU_ENABLE</c>).</summary>
    public const uint IommuEnable = Io | (VfioConstants.Base + 15);
    /// <summary>No argument (<c>VFIO_IOMMU_DISABLE</c>).</summary>
    public const uint IommuDisable = Io | (VfioConstants.Base + 16);
    /// <summary>Arg: <see cref="VfioIommuType1DirtyBitmap"/>* (<c>VFIO_IOMMU_DIRTY_PAGES</c>).</summary>
    public const uint IommuDirtyPages = Io | (VfioConstants.Base + 17);

    #endregion

    #region sPAPR IOMMU and EEH (container fd)

    /// <summary>Arg: <see cref="VfioIommuSpaprTceInfo"/>* (<c>VFIO_IOMMU_SPAPR_TCE_GET_INFO</c>).</summary>
    public const uint IommuSpaprTceGetInfo = Io | (VfioConstants.Base + 12);
    /// <summary>Arg: <see cref="VfioEehPeOp"/>* (<c>VFIO_EEH_PE_OP</c>).</summary>
    public const uint EehPeOp = Io | (VfioConstants.Base + 21);
    /// <summary>Arg: <see cref="VfioIommuSpaprRegisterMemory"/>* (<c>VFIO_IOMMU_SPAPR_REGISTER_MEMORY</c>).</summary>
    public const uint IommuSpaprRegisterMemory = Io | (VfioConstants.Base + 17);
    /// <summary>Arg: <see cref="VfioIommuSpaprRegisterMemory"/>* (<c>VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY</c>).</summary>
    public const uint IommuSpaprUnregisterMemory = Io | (VfioConstants.Base + 18);
    /// <summary>Arg: <see cref="VfioIommuSpaprTceCreate"/>* (<c>VFIO_IOMMU_SPAPR_TCE_CREATE</c>).</summary>
    public const uint IommuSpaprTceCreate = Io | (VfioConstants.Base + 19);
    /// <summary>Arg: <see cref="VfioIommuSpaprTceRemove"/>* (<c>VFIO_IOMMU_SPAPR_TCE_REMOVE</c>).</summary>
    public const uint IommuSpaprTceRemove = Io | (VfioConstants.Base + 20);

    #endregion
}

#region Common: capability header

/// <summary>Header of every capability in an info chain (<c>struct vfio_info_cap_header</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioInfoCapHeader
{
    /// <summary>Capability id.</summary>
    public ushort Id;
    /// <summary>Version specific to the capability id.</summary>
    public ushort Version;
    /// <summary>Offset of the next capability from the start of the info buffer; 0 ends the chain.</summary>
    public uint Next;
}

#endregion

#region Group

/// <summary>Argument of <see cref="VfioIoctl.GroupGetStatus"/> (<c>struct vfio_group_status</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioGroupStatus
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.GroupFlags*</c>.</summary>
    public uint Flags;
}

#endregion

#region Device info, regions, IRQs

/// <summary>Argument of <see cref="VfioIoctl.DeviceGetInfo"/> (<c>struct vfio_device_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceInfo
{
    /// <summary>Caller's buffer size; the kernel raises it when the capability chain does not fit.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.DeviceFlags*</c>.</summary>
    public uint Flags;
    /// <summary>Highest region index + 1.</summary>
    public uint NumRegions;
    /// <summary>Highest IRQ index + 1.</summary>
    public uint NumIrqs;
    /// <summary>Offset of the first capability within the info buffer.</summary>
    public uint CapOffset;
    /// <summary>Padding.</summary>
    public uint Pad;
}

/// <summary>Device capability <see cref="VfioConstants.DeviceInfoCapPciAtomicComp"/> (<c>struct vfio_device_info_cap_pci_atomic_comp</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceInfoCapPciAtomicComp
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary><c>VfioConstants.PciAtomicComp*</c>.</summary>
    public uint Flags;
    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceGetRegionInfo"/> (<c>struct vfio_region_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionInfo
{
    /// <summary>Caller's buffer size; the kernel raises it when the capability chain does not fit.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.RegionInfoFlag*</c>.</summary>
    public uint Flags;
    /// <summary>Region index.</summary>
    public uint Index;
    /// <summary>Offset of the first capability within the info buffer.</summary>
    public uint CapOffset;
    /// <summary>Region size in bytes.</summary>
    public ulong Size;
    /// <summary>Offset of the region within the device fd (for pread/pwrite/mmap).</summary>
    public ulong Offset;
}

/// <summary>One mmapable area of a sparse region (<c>struct vfio_region_sparse_mmap_area</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionSparseMmapArea
{
    /// <summary>Offset of the area within the region.</summary>
    public ulong Offset;
    /// <summary>Size of the area.</summary>
    public ulong Size;
}

/// <summary>Region capability <see cref="VfioConstants.RegionInfoCapSparseMmap"/>, followed by <see cref="NrAreas"/> areas (<c>struct vfio_region_info_cap_sparse_mmap</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("areas", typeof(VfioRegionSparseMmapArea)), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionInfoCapSparseMmap
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Number of areas that follow.</summary>
    public uint NrAreas;
    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary>Region capability <see cref="VfioConstants.RegionInfoCapType"/> (<c>struct vfio_region_info_cap_type</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionInfoCapType
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Region type (<c>VfioConstants.RegionType*</c>).</summary>
    public uint Type;
    /// <summary>Type-specific subtype.</summary>
    public uint Subtype;
}

/// <summary>Layout of a graphics EDID region (<c>struct vfio_region_gfx_edid</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionGfxEdid
{
    /// <summary>Offset of the EDID blob.</summary>
    public uint EdidOffset;
    /// <summary>Maximum EDID size.</summary>
    public uint EdidMaxSize;
    /// <summary>Current EDID size.</summary>
    public uint EdidSize;
    /// <summary>Maximum horizontal resolution.</summary>
    public uint MaxXres;
    /// <summary>Maximum vertical resolution.</summary>
    public uint MaxYres;
    /// <summary><c>VfioConstants.DeviceGfxLinkState*</c>.</summary>
    public uint LinkState;
}

/// <summary>Deprecated v1 migration region header (<c>struct vfio_device_migration_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceMigrationInfo
{
    /// <summary><c>VfioConstants.DeviceStateV1*</c>.</summary>
    public uint DeviceState;
    /// <summary>Reserved.</summary>
    public uint Reserved;
    /// <summary>Pending bytes.</summary>
    public ulong PendingBytes;
    /// <summary>Data offset.</summary>
    public ulong DataOffset;
    /// <summary>Data size.</summary>
    public ulong DataSize;
}

/// <summary>Region capability <see cref="VfioConstants.RegionInfoCapNvlink2Ssatgt"/> (<c>struct vfio_region_info_cap_nvlink2_ssatgt</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionInfoCapNvlink2Ssatgt
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Target address.</summary>
    public ulong Tgt;
}

/// <summary>Region capability <see cref="VfioConstants.RegionInfoCapNvlink2Lnkspd"/> (<c>struct vfio_region_info_cap_nvlink2_lnkspd</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioRegionInfoCapNvlink2Lnkspd
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Link speed.</summary>
    public uint LinkSpeed;
    /// <summary>Padding.</summary>
    public uint Pad;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceGetIrqInfo"/> (<c>struct vfio_irq_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIrqInfo
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.IrqInfo*</c>.</summary>
    public uint Flags;
    /// <summary>IRQ index.</summary>
    public uint Index;
    /// <summary>Number of IRQs within the index.</summary>
    public uint Count;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceSetIrqs"/>, followed by a payload chosen by the data flag (<c>struct vfio_irq_set</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("data", typeof(byte)), StructLayout(LayoutKind.Sequential)]
public struct VfioIrqSet
{
    /// <summary>Size of this struct plus payload.</summary>
    public uint Argsz;
    /// <summary>One <c>VfioConstants.IrqSetData*</c> and one <c>VfioConstants.IrqSetAction*</c>.</summary>
    public uint Flags;
    /// <summary>IRQ index.</summary>
    public uint Index;
    /// <summary>First IRQ of the index.</summary>
    public uint Start;
    /// <summary>Number of IRQs (payload elements).</summary>
    public uint Count;
}

#endregion

#region PCI hot reset, graphics, ioeventfd

/// <summary>One device affected by a hot reset (<c>struct vfio_pci_dependent_device</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Explicit)]
public struct VfioPciDependentDevice
{
    /// <summary>IOMMU group id (group mode; union with <see cref="Devid"/>).</summary>
    [FieldOffset(0)] public uint GroupId;
    /// <summary>IOMMUFD device id or <see cref="VfioConstants.PciDevidOwned"/>/<see cref="VfioConstants.PciDevidNotOwned"/> (cdev mode).</summary>
    [FieldOffset(0)] public uint Devid;
    /// <summary>PCI segment.</summary>
    [FieldOffset(4)] public ushort Segment;
    /// <summary>PCI bus.</summary>
    [FieldOffset(6)] public byte Bus;
    /// <summary>PCI device/function.</summary>
    [FieldOffset(7)] public byte Devfn;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceGetPciHotResetInfo"/>, followed by <see cref="Count"/> devices (<c>struct vfio_pci_hot_reset_info</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("devices", typeof(VfioPciDependentDevice)), StructLayout(LayoutKind.Sequential)]
public struct VfioPciHotResetInfo
{
    /// <summary>Size of this struct plus device array.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.PciHotResetFlag*</c>.</summary>
    public uint Flags;
    /// <summary>Number of devices.</summary>
    public uint Count;
}

/// <summary>Argument of <see cref="VfioIoctl.DevicePciHotReset"/>, followed by <see cref="Count"/> group fds (<c>struct vfio_pci_hot_reset</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("group_fds", typeof(int)), StructLayout(LayoutKind.Sequential)]
public struct VfioPciHotReset
{
    /// <summary>Size of this struct plus fd array.</summary>
    public uint Argsz;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Number of group fds.</summary>
    public uint Count;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceQueryGfxPlane"/> (<c>struct vfio_device_gfx_plane_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Explicit)]
public struct VfioDeviceGfxPlaneInfo
{
    /// <summary>Caller's size of this struct.</summary>
    [FieldOffset(0)] public uint Argsz;
    /// <summary><c>VfioConstants.GfxPlaneType*</c>.</summary>
    [FieldOffset(4)] public uint Flags;
    /// <summary>DRM plane type (in).</summary>
    [FieldOffset(8)] public uint DrmPlaneType;
    /// <summary>DRM format.</summary>
    [FieldOffset(12)] public uint DrmFormat;
    /// <summary>DRM format modifier.</summary>
    [FieldOffset(16)] public ulong DrmFormatMod;
    /// <summary>Width.</summary>
    [FieldOffset(24)] public uint Width;
    /// <summary>Height.</summary>
    [FieldOffset(28)] public uint Height;
    /// <summary>Stride.</summary>
    [FieldOffset(32)] public uint Stride;
    /// <summary>Size in bytes.</summary>
    [FieldOffset(36)] public uint Size;
    /// <summary>Cursor x.</summary>
    [FieldOffset(40)] public uint XPos;
    /// <summary>Cursor y.</summary>
    [FieldOffset(44)] public uint YPos;
    /// <summary>Cursor hotspot x.</summary>
    [FieldOffset(48)] public uint XHot;
    /// <summary>Cursor hotspot y.</summary>
    [FieldOffset(52)] public uint YHot;
    /// <summary>Region index (union with <see cref="DmabufId"/>).</summary>
    [FieldOffset(56)] public uint RegionIndex;
    /// <summary>Dma-buf id (union with <see cref="RegionIndex"/>).</summary>
    [FieldOffset(56)] public uint DmabufId;
    /// <summary>Reserved.</summary>
    [FieldOffset(60)] public uint Reserved;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceIoeventfd"/> (<c>struct vfio_device_ioeventfd</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceIoeventfd
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.DeviceIoeventfd*</c>.</summary>
    public uint Flags;
    /// <summary>Device fd offset of the write.</summary>
    public ulong Offset;
    /// <summary>Data to match.</summary>
    public ulong Data;
    /// <summary>Eventfd, -1 to de-assign.</summary>
    public int Fd;
    /// <summary>Reserved.</summary>
    public uint Reserved;
}

#endregion

#region Device features and cdev (IOMMUFD) binding

/// <summary>Argument of <see cref="VfioIoctl.DeviceFeature"/>, followed by feature data (<c>struct vfio_device_feature</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("data", typeof(byte)), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeature
{
    /// <summary>Size of this struct plus data.</summary>
    public uint Argsz;
    /// <summary>Feature index (<see cref="VfioConstants.DeviceFeatureMask"/>) and GET/SET/PROBE.</summary>
    public uint Flags;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceBindIommufd"/> (<c>struct vfio_device_bind_iommufd</c>).
/// Declared in its Linux 6.17 form (24 bytes); kernels before 6.17 read the first 16 bytes and accept a larger argsz.</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceBindIommufd
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>0 or <see cref="VfioConstants.DeviceBindFlagToken"/>.</summary>
    public uint Flags;
    /// <summary>The <c>/dev/iommu</c> fd.</summary>
    public int Iommufd;
    /// <summary>Out: IOMMUFD device id.</summary>
    public uint OutDevid;
    /// <summary>User pointer to a 16-byte VF token UUID, read only with <see cref="VfioConstants.DeviceBindFlagToken"/>.</summary>
    [UapiSince(6, 17)]
    public ulong TokenUuidPtr;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceAttachIommufdPt"/> (<c>struct vfio_device_attach_iommufd_pt</c>), in its Linux 6.13 form.</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceAttachIommufdPt
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>0 or <see cref="VfioConstants.DeviceAttachPasid"/>.</summary>
    public uint Flags;
    /// <summary>In: IOAS or HWPT id; out: the id actually attached.</summary>
    public uint PtId;
    /// <summary>PASID, read only with <see cref="VfioConstants.DeviceAttachPasid"/>.</summary>
    [UapiSince(6, 13)]
    public uint Pasid;
}

/// <summary>Argument of <see cref="VfioIoctl.DeviceDetachIommufdPt"/> (<c>struct vfio_device_detach_iommufd_pt</c>), in its Linux 6.13 form.</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceDetachIommufdPt
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>0 or <see cref="VfioConstants.DeviceDetachPasid"/>.</summary>
    public uint Flags;
    /// <summary>PASID, read only with <see cref="VfioConstants.DeviceDetachPasid"/>.</summary>
    [UapiSince(6, 13)]
    public uint Pasid;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureMigration"/> (<c>struct vfio_device_feature_migration</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureMigration
{
    /// <summary><c>VfioConstants.Migration*</c>.</summary>
    public ulong Flags;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureMigDeviceState"/> (<c>struct vfio_device_feature_mig_state</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureMigState
{
    /// <summary><c>VfioConstants.DeviceState*</c>.</summary>
    public uint DeviceState;
    /// <summary>Migration data fd.</summary>
    public int DataFd;
}

/// <summary>Argument of <see cref="VfioIoctl.MigGetPrecopyInfo"/> (<c>struct vfio_precopy_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioPrecopyInfo
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>Must be 0.</summary>
    public uint Flags;
    /// <summary>Initial bytes.</summary>
    public ulong InitialBytes;
    /// <summary>Dirty bytes.</summary>
    public ulong DirtyBytes;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureLowPowerEntryWithWakeup"/> (<c>struct vfio_device_low_power_entry_with_wakeup</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceLowPowerEntryWithWakeup
{
    /// <summary>Wakeup eventfd.</summary>
    public int WakeupEventfd;
    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureDmaLoggingStart"/> (<c>struct vfio_device_feature_dma_logging_control</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureDmaLoggingControl
{
    /// <summary>Tracking page size.</summary>
    public ulong PageSize;
    /// <summary>Number of ranges.</summary>
    public uint NumRanges;
    /// <summary>Reserved.</summary>
    public uint Reserved;
    /// <summary>User pointer to <see cref="VfioDeviceFeatureDmaLoggingRange"/>[].</summary>
    public ulong Ranges;
}

/// <summary>One DMA logging range (<c>struct vfio_device_feature_dma_logging_range</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureDmaLoggingRange
{
    /// <summary>IOVA.</summary>
    public ulong Iova;
    /// <summary>Length.</summary>
    public ulong Length;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureDmaLoggingReport"/> (<c>struct vfio_device_feature_dma_logging_report</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureDmaLoggingReport
{
    /// <summary>IOVA.</summary>
    public ulong Iova;
    /// <summary>Length.</summary>
    public ulong Length;
    /// <summary>Bitmap page size.</summary>
    public ulong PageSize;
    /// <summary>User pointer to the bitmap.</summary>
    public ulong Bitmap;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureMigDataSize"/> (<c>struct vfio_device_feature_mig_data_size</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureMigDataSize
{
    /// <summary>Estimated STOP_COPY length.</summary>
    public ulong StopCopyLength;
}

/// <summary>Data of feature <see cref="VfioConstants.DeviceFeatureBusMaster"/> (<c>struct vfio_device_feature_bus_master</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioDeviceFeatureBusMaster
{
    /// <summary><see cref="VfioConstants.DeviceFeatureClearMaster"/> or <see cref="VfioConstants.DeviceFeatureSetMaster"/>.</summary>
    public uint Op;
}

#endregion

#region Type1 IOMMU

/// <summary>Argument of <see cref="VfioIoctl.IommuGetInfo"/>, followed by a capability chain (<c>struct vfio_iommu_type1_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1Info
{
    /// <summary>Caller's buffer size; the kernel raises it when the capability chain does not fit.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.IommuInfo*</c>.</summary>
    public uint Flags;
    /// <summary>Bitmap of supported page sizes.</summary>
    public ulong IovaPgsizes;
    /// <summary>Offset of the first capability within the info buffer.</summary>
    public uint CapOffset;
    /// <summary>Padding.</summary>
    public uint Pad;
}

/// <summary>One valid IOVA range, both ends inclusive (<c>struct vfio_iova_range</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIovaRange
{
    /// <summary>First IOVA.</summary>
    public ulong Start;
    /// <summary>Last IOVA.</summary>
    public ulong End;
}

/// <summary>Capability <see cref="VfioConstants.IommuType1InfoCapIovaRange"/>, followed by <see cref="NrIovas"/> ranges (<c>struct vfio_iommu_type1_info_cap_iova_range</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("iova_ranges", typeof(VfioIovaRange)), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1InfoCapIovaRange
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Number of ranges that follow.</summary>
    public uint NrIovas;
    /// <summary>Reserved.</summary>
    public uint Reserved;
}

/// <summary>Capability <see cref="VfioConstants.IommuType1InfoCapMigration"/> (<c>struct vfio_iommu_type1_info_cap_migration</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1InfoCapMigration
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Flags.</summary>
    public uint Flags;
    /// <summary>Supported dirty-tracking page sizes.</summary>
    public ulong PgsizeBitmap;
    /// <summary>Largest dirty bitmap in bytes.</summary>
    public ulong MaxDirtyBitmapSize;
}

/// <summary>Capability <see cref="VfioConstants.IommuType1InfoDmaAvail"/> (<c>struct vfio_iommu_type1_info_dma_avail</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1InfoDmaAvail
{
    /// <summary>Capability header.</summary>
    public VfioInfoCapHeader Header;
    /// <summary>Number of DMA mappings still allowed.</summary>
    public uint Avail;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuMapDma"/> (<c>struct vfio_iommu_type1_dma_map</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1DmaMap
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.DmaMapFlag*</c>.</summary>
    public uint Flags;
    /// <summary>Process virtual address.</summary>
    public ulong Vaddr;
    /// <summary>IO virtual address.</summary>
    public ulong Iova;
    /// <summary>Mapping size in bytes.</summary>
    public ulong Size;
}

/// <summary>Dirty bitmap descriptor (<c>struct vfio_bitmap</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioBitmap
{
    /// <summary>Page size of one bit.</summary>
    public ulong Pgsize;
    /// <summary>Bitmap size in bytes.</summary>
    public ulong Size;
    /// <summary>User pointer to the bitmap (a C pointer; 64-bit platforms only).</summary>
    public ulong Data;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuUnmapDma"/>; the kernel writes back the unmapped size (<c>struct vfio_iommu_type1_dma_unmap</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("data", typeof(byte)), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1DmaUnmap
{
    /// <summary>Caller's size of this struct (plus a <see cref="VfioBitmap"/> with GET_DIRTY_BITMAP).</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.DmaUnmapFlag*</c>.</summary>
    public uint Flags;
    /// <summary>IO virtual address.</summary>
    public ulong Iova;
    /// <summary>In: size to unmap; out: size unmapped.</summary>
    public ulong Size;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuDirtyPages"/>, followed by data (<c>struct vfio_iommu_type1_dirty_bitmap</c>).</summary>
[UapiHeader("vfio.h"), UapiFlexibleArray("data", typeof(byte)), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1DirtyBitmap
{
    /// <summary>Size of this struct plus data.</summary>
    public uint Argsz;
    /// <summary><c>VfioConstants.IommuDirtyPagesFlag*</c>.</summary>
    public uint Flags;
}

/// <summary>Data of <see cref="VfioConstants.IommuDirtyPagesFlagGetBitmap"/> (<c>struct vfio_iommu_type1_dirty_bitmap_get</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuType1DirtyBitmapGet
{
    /// <summary>IO virtual address.</summary>
    public ulong Iova;
    /// <summary>Size of the IOVA range.</summary>
    public ulong Size;
    /// <summary>Bitmap descriptor.</summary>
    public VfioBitmap Bitmap;
}

#endregion

#region sPAPR IOMMU and EEH

/// <summary>Dynamic DMA window info (<c>struct vfio_iommu_spapr_tce_ddw_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuSpaprTceDdwInfo
{
    /// <summary>Bitmap of supported page sizes.</summary>
    public ulong Pgsizes;
    /// <summary>Maximum number of dynamic windows.</summary>
    public uint MaxDynamicWindowsSupported;
    /// <summary>Maximum TCE table levels.</summary>
    public uint Levels;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuSpaprTceGetInfo"/> (<c>struct vfio_iommu_spapr_tce_info</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuSpaprTceInfo
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary><see cref="VfioConstants.IommuSpaprInfoDdw"/>.</summary>
    public uint Flags;
    /// <summary>32-bit window start.</summary>
    public uint Dma32WindowStart;
    /// <summary>32-bit window size.</summary>
    public uint Dma32WindowSize;
    /// <summary>Dynamic DMA window info.</summary>
    public VfioIommuSpaprTceDdwInfo Ddw;
}

/// <summary>EEH error injection (<c>struct vfio_eeh_pe_err</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioEehPeErr
{
    /// <summary>Error type.</summary>
    public uint Type;
    /// <summary>Error function.</summary>
    public uint Func;
    /// <summary>Address.</summary>
    public ulong Addr;
    /// <summary>Address mask.</summary>
    public ulong Mask;
}

/// <summary>Argument of <see cref="VfioIoctl.EehPeOp"/> (<c>struct vfio_eeh_pe_op</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioEehPeOp
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>Flags.</summary>
    public uint Flags;
    /// <summary><c>VfioConstants.EehPe*</c> operation.</summary>
    public uint Op;
    /// <summary>Error to inject (the only member of the C union).</summary>
    public VfioEehPeErr Err;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuSpaprRegisterMemory"/> (<c>struct vfio_iommu_spapr_register_memory</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuSpaprRegisterMemory
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>Flags.</summary>
    public uint Flags;
    /// <summary>Process virtual address.</summary>
    public ulong Vaddr;
    /// <summary>Size in bytes.</summary>
    public ulong Size;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuSpaprTceCreate"/> (<c>struct vfio_iommu_spapr_tce_create</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuSpaprTceCreate
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>Flags.</summary>
    public uint Flags;
    /// <summary>IOMMU page shift.</summary>
    public uint PageShift;
    /// <summary>Reserved.</summary>
    public uint Resv1;
    /// <summary>Window size.</summary>
    public ulong WindowSize;
    /// <summary>TCE table levels.</summary>
    public uint Levels;
    /// <summary>Reserved.</summary>
    public uint Resv2;
    /// <summary>Out: window start address.</summary>
    public ulong StartAddr;
}

/// <summary>Argument of <see cref="VfioIoctl.IommuSpaprTceRemove"/> (<c>struct vfio_iommu_spapr_tce_remove</c>).</summary>
[UapiHeader("vfio.h"), StructLayout(LayoutKind.Sequential)]
public struct VfioIommuSpaprTceRemove
{
    /// <summary>Caller's size of this struct.</summary>
    public uint Argsz;
    /// <summary>Flags.</summary>
    public uint Flags;
    /// <summary>Window start address.</summary>
    public ulong StartAddr;
}

#endregion

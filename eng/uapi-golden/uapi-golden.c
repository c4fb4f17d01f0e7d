/*
 * Prints the request codes, constants, struct sizes and field offsets that Eal.Vfio declares in C#
 * (Eal/Eal.Vfio/Uapi, Eal/Eal.Vfio/Native), as the machine's own headers define them.
 * Output: one "header/kind/name=value" line per item; generate.sh writes it to
 * Tests/Eal.Vfio.Tests/Golden/uapi-golden.txt. Items newer than the installed headers are skipped
 * with #ifdef on a macro introduced together with them, so newer headers pin more, never less.
 */
#include <stddef.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <linux/version.h>
#include <linux/ioctl.h>
#include <linux/vfio.h>
#include <linux/iommufd.h>

#define IOCTL(h, x) printf("%s/ioctl/%s=0x%lx\n", h, #x, (unsigned long)(x))
#define CONST(h, x) printf("%s/const/%s=%lld\n", h, #x, (long long)(x))
#define ERRNO(x) printf("libc/errno/%s=%d\n", #x, x)
#define SIZE(h, s) printf("%s/sizeof/%s=%zu\n", h, #s, sizeof(struct s))
#define OFF(h, s, f) printf("%s/offsetof/%s.%s=%zu\n", h, #s, #f, offsetof(struct s, f))
#define FLEX(h, s, f) do { \
        printf("%s/flex/%s.%s=%zu\n", h, #s, #f, offsetof(struct s, f)); \
        printf("%s/flexelem/%s.%s=%zu\n", h, #s, #f, sizeof(((struct s *)0)->f[0])); \
    } while (0)
#define ENC(name, x) printf("ioctl.h/encode/%s=0x%lx\n", name, (unsigned long)(x))

#define V "vfio.h"
#define I "iommufd.h"
#define L "libc"

static void meta(void)
{
    printf("meta/linux-headers=%d.%d\n", LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 0xff);
}

static void encodings(void)
{
    /* Samples that pin IoctlCode's _IO/_IOR/_IOW/_IOWR against the kernel macros. */
    ENC("_IO(0x3b,0x64)", _IO(0x3b, 0x64));
    ENC("_IOR(0x56,0x01,4)", _IOR(0x56, 0x01, int));
    ENC("_IOW(0xaf,0x60,8)", _IOW(0xaf, 0x60, unsigned long long));
    ENC("_IOWR(0x41,0x20,4096)", _IOWR(0x41, 0x20, char[4096]));
    ENC("_IOWR(0xff,0xff,16383)", _IOWR(0xff, 0xff, char[16383]));
}

static void vfio_consts(void)
{
    CONST(V, VFIO_API_VERSION);
    CONST(V, VFIO_TYPE1_IOMMU); CONST(V, VFIO_SPAPR_TCE_IOMMU); CONST(V, VFIO_TYPE1v2_IOMMU);
    CONST(V, VFIO_DMA_CC_IOMMU); CONST(V, VFIO_EEH); CONST(V, VFIO_TYPE1_NESTING_IOMMU);
    CONST(V, VFIO_SPAPR_TCE_v2_IOMMU); CONST(V, VFIO_NOIOMMU_IOMMU); CONST(V, VFIO_UNMAP_ALL);
    CONST(V, VFIO_UPDATE_VADDR); CONST(V, VFIO_TYPE); CONST(V, VFIO_BASE);

    CONST(V, VFIO_GROUP_FLAGS_VIABLE); CONST(V, VFIO_GROUP_FLAGS_CONTAINER_SET);
    CONST(V, VFIO_DEVICE_FLAGS_RESET); CONST(V, VFIO_DEVICE_FLAGS_PCI); CONST(V, VFIO_DEVICE_FLAGS_PLATFORM);
    CONST(V, VFIO_DEVICE_FLAGS_AMBA); CONST(V, VFIO_DEVICE_FLAGS_CCW); CONST(V, VFIO_DEVICE_FLAGS_AP);
    CONST(V, VFIO_DEVICE_FLAGS_FSL_MC); CONST(V, VFIO_DEVICE_FLAGS_CAPS); CONST(V, VFIO_DEVICE_FLAGS_CDX);
    CONST(V, VFIO_DEVICE_INFO_CAP_ZPCI_BASE); CONST(V, VFIO_DEVICE_INFO_CAP_ZPCI_GROUP);
    CONST(V, VFIO_DEVICE_INFO_CAP_ZPCI_UTIL); CONST(V, VFIO_DEVICE_INFO_CAP_ZPCI_PFIP);
    CONST(V, VFIO_DEVICE_INFO_CAP_PCI_ATOMIC_COMP);
    CONST(V, VFIO_PCI_ATOMIC_COMP32); CONST(V, VFIO_PCI_ATOMIC_COMP64); CONST(V, VFIO_PCI_ATOMIC_COMP128);

    CONST(V, VFIO_REGION_INFO_FLAG_READ); CONST(V, VFIO_REGION_INFO_FLAG_WRITE);
    CONST(V, VFIO_REGION_INFO_FLAG_MMAP); CONST(V, VFIO_REGION_INFO_FLAG_CAPS);
    CONST(V, VFIO_REGION_INFO_CAP_SPARSE_MMAP); CONST(V, VFIO_REGION_INFO_CAP_TYPE);
    CONST(V, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE); CONST(V, VFIO_REGION_INFO_CAP_NVLINK2_SSATGT);
    CONST(V, VFIO_REGION_INFO_CAP_NVLINK2_LNKSPD);
    CONST(V, VFIO_REGION_TYPE_PCI_VENDOR_TYPE); CONST(V, VFIO_REGION_TYPE_PCI_VENDOR_MASK);
    CONST(V, VFIO_REGION_TYPE_GFX); CONST(V, VFIO_REGION_TYPE_CCW); CONST(V, VFIO_REGION_TYPE_MIGRATION_DEPRECATED);
    CONST(V, VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION); CONST(V, VFIO_REGION_SUBTYPE_INTEL_IGD_HOST_CFG);
    CONST(V, VFIO_REGION_SUBTYPE_INTEL_IGD_LPC_CFG); CONST(V, VFIO_REGION_SUBTYPE_NVIDIA_NVLINK2_RAM);
    CONST(V, VFIO_REGION_SUBTYPE_IBM_NVLINK2_ATSD); CONST(V, VFIO_REGION_SUBTYPE_GFX_EDID);
    CONST(V, VFIO_DEVICE_GFX_LINK_STATE_UP); CONST(V, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
    CONST(V, VFIO_REGION_SUBTYPE_CCW_ASYNC_CMD); CONST(V, VFIO_REGION_SUBTYPE_CCW_SCHIB);
    CONST(V, VFIO_REGION_SUBTYPE_CCW_CRW); CONST(V, VFIO_REGION_SUBTYPE_MIGRATION_DEPRECATED);
    CONST(V, VFIO_DEVICE_STATE_V1_STOP); CONST(V, VFIO_DEVICE_STATE_V1_RUNNING);
    CONST(V, VFIO_DEVICE_STATE_V1_SAVING); CONST(V, VFIO_DEVICE_STATE_V1_RESUMING); CONST(V, VFIO_DEVICE_STATE_MASK);

    CONST(V, VFIO_PCI_BAR0_REGION_INDEX); CONST(V, VFIO_PCI_BAR1_REGION_INDEX); CONST(V, VFIO_PCI_BAR2_REGION_INDEX);
    CONST(V, VFIO_PCI_BAR3_REGION_INDEX); CONST(V, VFIO_PCI_BAR4_REGION_INDEX); CONST(V, VFIO_PCI_BAR5_REGION_INDEX);
    CONST(V, VFIO_PCI_ROM_REGION_INDEX); CONST(V, VFIO_PCI_CONFIG_REGION_INDEX); CONST(V, VFIO_PCI_VGA_REGION_INDEX);
    CONST(V, VFIO_PCI_NUM_REGIONS);
    CONST(V, VFIO_PCI_INTX_IRQ_INDEX); CONST(V, VFIO_PCI_MSI_IRQ_INDEX); CONST(V, VFIO_PCI_MSIX_IRQ_INDEX);
    CONST(V, VFIO_PCI_ERR_IRQ_INDEX); CONST(V, VFIO_PCI_REQ_IRQ_INDEX); CONST(V, VFIO_PCI_NUM_IRQS);
    CONST(V, VFIO_CCW_CONFIG_REGION_INDEX); CONST(V, VFIO_CCW_NUM_REGIONS);
    CONST(V, VFIO_CCW_IO_IRQ_INDEX); CONST(V, VFIO_CCW_CRW_IRQ_INDEX); CONST(V, VFIO_CCW_REQ_IRQ_INDEX);
    CONST(V, VFIO_CCW_NUM_IRQS); CONST(V, VFIO_AP_REQ_IRQ_INDEX); CONST(V, VFIO_AP_NUM_IRQS);

    CONST(V, VFIO_IRQ_INFO_EVENTFD); CONST(V, VFIO_IRQ_INFO_MASKABLE); CONST(V, VFIO_IRQ_INFO_AUTOMASKED);
    CONST(V, VFIO_IRQ_INFO_NORESIZE);
    CONST(V, VFIO_IRQ_SET_DATA_NONE); CONST(V, VFIO_IRQ_SET_DATA_BOOL); CONST(V, VFIO_IRQ_SET_DATA_EVENTFD);
    CONST(V, VFIO_IRQ_SET_ACTION_MASK); CONST(V, VFIO_IRQ_SET_ACTION_UNMASK); CONST(V, VFIO_IRQ_SET_ACTION_TRIGGER);
    CONST(V, VFIO_IRQ_SET_DATA_TYPE_MASK); CONST(V, VFIO_IRQ_SET_ACTION_TYPE_MASK);

    CONST(V, VFIO_PCI_DEVID_OWNED); CONST(V, VFIO_PCI_DEVID_NOT_OWNED);
    CONST(V, VFIO_PCI_HOT_RESET_FLAG_DEV_ID); CONST(V, VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED);
    CONST(V, VFIO_GFX_PLANE_TYPE_PROBE); CONST(V, VFIO_GFX_PLANE_TYPE_DMABUF); CONST(V, VFIO_GFX_PLANE_TYPE_REGION);
    CONST(V, VFIO_DEVICE_IOEVENTFD_8); CONST(V, VFIO_DEVICE_IOEVENTFD_16); CONST(V, VFIO_DEVICE_IOEVENTFD_32);
    CONST(V, VFIO_DEVICE_IOEVENTFD_64); CONST(V, VFIO_DEVICE_IOEVENTFD_SIZE_MASK);

    CONST(V, VFIO_DEVICE_FEATURE_MASK); CONST(V, VFIO_DEVICE_FEATURE_GET); CONST(V, VFIO_DEVICE_FEATURE_SET);
    CONST(V, VFIO_DEVICE_FEATURE_PROBE);
#ifdef VFIO_DEVICE_BIND_FLAG_TOKEN
    CONST(V, VFIO_DEVICE_BIND_FLAG_TOKEN);
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
    CONST(V, VFIO_DEVICE_ATTACH_PASID);
#endif
#ifdef VFIO_DEVICE_DETACH_PASID
    CONST(V, VFIO_DEVICE_DETACH_PASID);
#endif
    CONST(V, VFIO_DEVICE_FEATURE_PCI_VF_TOKEN); CONST(V, VFIO_DEVICE_FEATURE_MIGRATION);
    CONST(V, VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE); CONST(V, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY);
    CONST(V, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP); CONST(V, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT);
    CONST(V, VFIO_DEVICE_FEATURE_DMA_LOGGING_START); CONST(V, VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP);
    CONST(V, VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT); CONST(V, VFIO_DEVICE_FEATURE_MIG_DATA_SIZE);
    CONST(V, VFIO_DEVICE_FEATURE_BUS_MASTER); CONST(V, VFIO_DEVICE_FEATURE_CLEAR_MASTER);
    CONST(V, VFIO_DEVICE_FEATURE_SET_MASTER);
    CONST(V, VFIO_MIGRATION_STOP_COPY); CONST(V, VFIO_MIGRATION_P2P); CONST(V, VFIO_MIGRATION_PRE_COPY);
    CONST(V, VFIO_DEVICE_STATE_ERROR); CONST(V, VFIO_DEVICE_STATE_STOP); CONST(V, VFIO_DEVICE_STATE_RUNNING);
    CONST(V, VFIO_DEVICE_STATE_STOP_COPY); CONST(V, VFIO_DEVICE_STATE_RESUMING);
    CONST(V, VFIO_DEVICE_STATE_RUNNING_P2P); CONST(V, VFIO_DEVICE_STATE_PRE_COPY);
    CONST(V, VFIO_DEVICE_STATE_PRE_COPY_P2P); CONST(V, VFIO_DEVICE_STATE_NR);

    CONST(V, VFIO_IOMMU_INFO_PGSIZES); CONST(V, VFIO_IOMMU_INFO_CAPS);
    CONST(V, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE); CONST(V, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
    CONST(V, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
    CONST(V, VFIO_DMA_MAP_FLAG_READ); CONST(V, VFIO_DMA_MAP_FLAG_WRITE); CONST(V, VFIO_DMA_MAP_FLAG_VADDR);
    CONST(V, VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP); CONST(V, VFIO_DMA_UNMAP_FLAG_ALL);
    CONST(V, VFIO_DMA_UNMAP_FLAG_VADDR);
    CONST(V, VFIO_IOMMU_DIRTY_PAGES_FLAG_START); CONST(V, VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP);
    CONST(V, VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP);

    CONST(V, VFIO_IOMMU_SPAPR_INFO_DDW);
    CONST(V, VFIO_EEH_PE_DISABLE); CONST(V, VFIO_EEH_PE_ENABLE); CONST(V, VFIO_EEH_PE_UNFREEZE_IO);
    CONST(V, VFIO_EEH_PE_UNFREEZE_DMA); CONST(V, VFIO_EEH_PE_GET_STATE);
    CONST(V, VFIO_EEH_PE_STATE_NORMAL); CONST(V, VFIO_EEH_PE_STATE_RESET); CONST(V, VFIO_EEH_PE_STATE_STOPPED);
    CONST(V, VFIO_EEH_PE_STATE_STOPPED_DMA); CONST(V, VFIO_EEH_PE_STATE_UNAVAIL);
    CONST(V, VFIO_EEH_PE_RESET_DEACTIVATE); CONST(V, VFIO_EEH_PE_RESET_HOT);
    CONST(V, VFIO_EEH_PE_RESET_FUNDAMENTAL); CONST(V, VFIO_EEH_PE_CONFIGURE); CONST(V, VFIO_EEH_PE_INJECT_ERR);
}

static void vfio_ioctls(void)
{
    IOCTL(V, VFIO_GET_API_VERSION); IOCTL(V, VFIO_CHECK_EXTENSION); IOCTL(V, VFIO_SET_IOMMU);
    IOCTL(V, VFIO_GROUP_GET_STATUS); IOCTL(V, VFIO_GROUP_SET_CONTAINER); IOCTL(V, VFIO_GROUP_UNSET_CONTAINER);
    IOCTL(V, VFIO_GROUP_GET_DEVICE_FD);
    IOCTL(V, VFIO_DEVICE_GET_INFO); IOCTL(V, VFIO_DEVICE_GET_REGION_INFO); IOCTL(V, VFIO_DEVICE_GET_IRQ_INFO);
    IOCTL(V, VFIO_DEVICE_SET_IRQS); IOCTL(V, VFIO_DEVICE_RESET); IOCTL(V, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO);
    IOCTL(V, VFIO_DEVICE_PCI_HOT_RESET); IOCTL(V, VFIO_DEVICE_QUERY_GFX_PLANE); IOCTL(V, VFIO_DEVICE_GET_GFX_DMABUF);
    IOCTL(V, VFIO_DEVICE_IOEVENTFD); IOCTL(V, VFIO_DEVICE_FEATURE); IOCTL(V, VFIO_DEVICE_BIND_IOMMUFD);
    IOCTL(V, VFIO_DEVICE_ATTACH_IOMMUFD_PT); IOCTL(V, VFIO_DEVICE_DETACH_IOMMUFD_PT);
    IOCTL(V, VFIO_MIG_GET_PRECOPY_INFO);
    IOCTL(V, VFIO_IOMMU_GET_INFO); IOCTL(V, VFIO_IOMMU_MAP_DMA); IOCTL(V, VFIO_IOMMU_UNMAP_DMA);
    IOCTL(V, VFIO_IOMMU_ENABLE); IOCTL(V, VFIO_IOMMU_DISABLE); IOCTL(V, VFIO_IOMMU_DIRTY_PAGES);
    IOCTL(V, VFIO_IOMMU_SPAPR_TCE_GET_INFO); IOCTL(V, VFIO_EEH_PE_OP);
    IOCTL(V, VFIO_IOMMU_SPAPR_REGISTER_MEMORY); IOCTL(V, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY);
    IOCTL(V, VFIO_IOMMU_SPAPR_TCE_CREATE); IOCTL(V, VFIO_IOMMU_SPAPR_TCE_REMOVE);
}

static void vfio_structs(void)
{
    SIZE(V, vfio_info_cap_header);
    OFF(V, vfio_info_cap_header, id); OFF(V, vfio_info_cap_header, version); OFF(V, vfio_info_cap_header, next);
    SIZE(V, vfio_group_status);
    OFF(V, vfio_group_status, argsz); OFF(V, vfio_group_status, flags);
    SIZE(V, vfio_device_info);
    OFF(V, vfio_device_info, argsz); OFF(V, vfio_device_info, flags); OFF(V, vfio_device_info, num_regions);
    OFF(V, vfio_device_info, num_irqs); OFF(V, vfio_device_info, cap_offset); OFF(V, vfio_device_info, pad);
    SIZE(V, vfio_device_info_cap_pci_atomic_comp);
    OFF(V, vfio_device_info_cap_pci_atomic_comp, header); OFF(V, vfio_device_info_cap_pci_atomic_comp, flags);
    OFF(V, vfio_device_info_cap_pci_atomic_comp, reserved);
    SIZE(V, vfio_region_info);
    OFF(V, vfio_region_info, argsz); OFF(V, vfio_region_info, flags); OFF(V, vfio_region_info, index);
    OFF(V, vfio_region_info, cap_offset); OFF(V, vfio_region_info, size); OFF(V, vfio_region_info, offset);
    SIZE(V, vfio_region_sparse_mmap_area);
    OFF(V, vfio_region_sparse_mmap_area, offset); OFF(V, vfio_region_sparse_mmap_area, size);
    SIZE(V, vfio_region_info_cap_sparse_mmap);
    OFF(V, vfio_region_info_cap_sparse_mmap, header); OFF(V, vfio_region_info_cap_sparse_mmap, nr_areas);
    OFF(V, vfio_region_info_cap_sparse_mmap, reserved); FLEX(V, vfio_region_info_cap_sparse_mmap, areas);
    SIZE(V, vfio_region_info_cap_type);
    OFF(V, vfio_region_info_cap_type, header); OFF(V, vfio_region_info_cap_type, type);
    OFF(V, vfio_region_info_cap_type, subtype);
    SIZE(V, vfio_region_gfx_edid);
    OFF(V, vfio_region_gfx_edid, edid_offset); OFF(V, vfio_region_gfx_edid, edid_max_size);
    OFF(V, vfio_region_gfx_edid, edid_size); OFF(V, vfio_region_gfx_edid, max_xres);
    OFF(V, vfio_region_gfx_edid, max_yres); OFF(V, vfio_region_gfx_edid, link_state);
    SIZE(V, vfio_device_migration_info);
    OFF(V, vfio_device_migration_info, device_state); OFF(V, vfio_device_migration_info, reserved);
    OFF(V, vfio_device_migration_info, pending_bytes); OFF(V, vfio_device_migration_info, data_offset);
    OFF(V, vfio_device_migration_info, data_size);
    SIZE(V, vfio_region_info_cap_nvlink2_ssatgt);
    OFF(V, vfio_region_info_cap_nvlink2_ssatgt, header); OFF(V, vfio_region_info_cap_nvlink2_ssatgt, tgt);
    SIZE(V, vfio_region_info_cap_nvlink2_lnkspd);
    OFF(V, vfio_region_info_cap_nvlink2_lnkspd, header); OFF(V, vfio_region_info_cap_nvlink2_lnkspd, link_speed);
    OFF(V, vfio_region_info_cap_nvlink2_lnkspd, __pad);
    SIZE(V, vfio_irq_info);
    OFF(V, vfio_irq_info, argsz); OFF(V, vfio_irq_info, flags); OFF(V, vfio_irq_info, index);
    OFF(V, vfio_irq_info, count);
    SIZE(V, vfio_irq_set);
    OFF(V, vfio_irq_set, argsz); OFF(V, vfio_irq_set, flags); OFF(V, vfio_irq_set, index);
    OFF(V, vfio_irq_set, start); OFF(V, vfio_irq_set, count); FLEX(V, vfio_irq_set, data);
    SIZE(V, vfio_pci_dependent_device);
    OFF(V, vfio_pci_dependent_device, group_id); OFF(V, vfio_pci_dependent_device, devid);
    OFF(V, vfio_pci_dependent_device, segment); OFF(V, vfio_pci_dependent_device, bus);
    OFF(V, vfio_pci_dependent_device, devfn);
    SIZE(V, vfio_pci_hot_reset_info);
    OFF(V, vfio_pci_hot_reset_info, argsz); OFF(V, vfio_pci_hot_reset_info, flags);
    OFF(V, vfio_pci_hot_reset_info, count); FLEX(V, vfio_pci_hot_reset_info, devices);
    SIZE(V, vfio_pci_hot_reset);
    OFF(V, vfio_pci_hot_reset, argsz); OFF(V, vfio_pci_hot_reset, flags); OFF(V, vfio_pci_hot_reset, count);
    FLEX(V, vfio_pci_hot_reset, group_fds);
    SIZE(V, vfio_device_gfx_plane_info);
    OFF(V, vfio_device_gfx_plane_info, argsz); OFF(V, vfio_device_gfx_plane_info, flags);
    OFF(V, vfio_device_gfx_plane_info, drm_plane_type); OFF(V, vfio_device_gfx_plane_info, drm_format);
    OFF(V, vfio_device_gfx_plane_info, drm_format_mod); OFF(V, vfio_device_gfx_plane_info, width);
    OFF(V, vfio_device_gfx_plane_info, height); OFF(V, vfio_device_gfx_plane_info, stride);
    OFF(V, vfio_device_gfx_plane_info, size); OFF(V, vfio_device_gfx_plane_info, x_pos);
    OFF(V, vfio_device_gfx_plane_info, y_pos); OFF(V, vfio_device_gfx_plane_info, x_hot);
    OFF(V, vfio_device_gfx_plane_info, y_hot); OFF(V, vfio_device_gfx_plane_info, region_index);
    OFF(V, vfio_device_gfx_plane_info, dmabuf_id); OFF(V, vfio_device_gfx_plane_info, reserved);
    SIZE(V, vfio_device_ioeventfd);
    OFF(V, vfio_device_ioeventfd, argsz); OFF(V, vfio_device_ioeventfd, flags); OFF(V, vfio_device_ioeventfd, offset);
    OFF(V, vfio_device_ioeventfd, data); OFF(V, vfio_device_ioeventfd, fd); OFF(V, vfio_device_ioeventfd, reserved);
    SIZE(V, vfio_device_feature);
    OFF(V, vfio_device_feature, argsz); OFF(V, vfio_device_feature, flags); FLEX(V, vfio_device_feature, data);
    SIZE(V, vfio_device_bind_iommufd);
    OFF(V, vfio_device_bind_iommufd, argsz); OFF(V, vfio_device_bind_iommufd, flags);
    OFF(V, vfio_device_bind_iommufd, iommufd); OFF(V, vfio_device_bind_iommufd, out_devid);
#ifdef VFIO_DEVICE_BIND_FLAG_TOKEN
    OFF(V, vfio_device_bind_iommufd, token_uuid_ptr);
#endif
    SIZE(V, vfio_device_attach_iommufd_pt);
    OFF(V, vfio_device_attach_iommufd_pt, argsz); OFF(V, vfio_device_attach_iommufd_pt, flags);
    OFF(V, vfio_device_attach_iommufd_pt, pt_id);
#ifdef VFIO_DEVICE_ATTACH_PASID
    OFF(V, vfio_device_attach_iommufd_pt, pasid);
#endif
    SIZE(V, vfio_device_detach_iommufd_pt);
    OFF(V, vfio_device_detach_iommufd_pt, argsz); OFF(V, vfio_device_detach_iommufd_pt, flags);
#ifdef VFIO_DEVICE_DETACH_PASID
    OFF(V, vfio_device_detach_iommufd_pt, pasid);
#endif
    SIZE(V, vfio_device_feature_migration);
    OFF(V, vfio_device_feature_migration, flags);
    SIZE(V, vfio_device_feature_mig_state);
    OFF(V, vfio_device_feature_mig_state, device_state); OFF(V, vfio_device_feature_mig_state, data_fd);
    SIZE(V, vfio_precopy_info);
    OFF(V, vfio_precopy_info, argsz); OFF(V, vfio_precopy_info, flags); OFF(V, vfio_precopy_info, initial_bytes);
    OFF(V, vfio_precopy_info, dirty_bytes);
    SIZE(V, vfio_device_low_power_entry_with_wakeup);
    OFF(V, vfio_device_low_power_entry_with_wakeup, wakeup_eventfd);
    OFF(V, vfio_device_low_power_entry_with_wakeup, reserved);
    SIZE(V, vfio_device_feature_dma_logging_control);
    OFF(V, vfio_device_feature_dma_logging_control, page_size);
    OFF(V, vfio_device_feature_dma_logging_control, num_ranges);
    OFF(V, vfio_device_feature_dma_logging_control, __reserved);
    OFF(V, vfio_device_feature_dma_logging_control, ranges);
    SIZE(V, vfio_device_feature_dma_logging_range);
    OFF(V, vfio_device_feature_dma_logging_range, iova); OFF(V, vfio_device_feature_dma_logging_range, length);
    SIZE(V, vfio_device_feature_dma_logging_report);
    OFF(V, vfio_device_feature_dma_logging_report, iova); OFF(V, vfio_device_feature_dma_logging_report, length);
    OFF(V, vfio_device_feature_dma_logging_report, page_size);
    OFF(V, vfio_device_feature_dma_logging_report, bitmap);
    SIZE(V, vfio_device_feature_mig_data_size);
    OFF(V, vfio_device_feature_mig_data_size, stop_copy_length);
    SIZE(V, vfio_device_feature_bus_master);
    OFF(V, vfio_device_feature_bus_master, op);

    SIZE(V, vfio_iommu_type1_info);
    OFF(V, vfio_iommu_type1_info, argsz); OFF(V, vfio_iommu_type1_info, flags);
    OFF(V, vfio_iommu_type1_info, iova_pgsizes); OFF(V, vfio_iommu_type1_info, cap_offset);
    OFF(V, vfio_iommu_type1_info, pad);
    SIZE(V, vfio_iova_range);
    OFF(V, vfio_iova_range, start); OFF(V, vfio_iova_range, end);
    SIZE(V, vfio_iommu_type1_info_cap_iova_range);
    OFF(V, vfio_iommu_type1_info_cap_iova_range, header); OFF(V, vfio_iommu_type1_info_cap_iova_range, nr_iovas);
    OFF(V, vfio_iommu_type1_info_cap_iova_range, reserved);
    FLEX(V, vfio_iommu_type1_info_cap_iova_range, iova_ranges);
    SIZE(V, vfio_iommu_type1_info_cap_migration);
    OFF(V, vfio_iommu_type1_info_cap_migration, header); OFF(V, vfio_iommu_type1_info_cap_migration, flags);
    OFF(V, vfio_iommu_type1_info_cap_migration, pgsize_bitmap);
    OFF(V, vfio_iommu_type1_info_cap_migration, max_dirty_bitmap_size);
    SIZE(V, vfio_iommu_type1_info_dma_avail);
    OFF(V, vfio_iommu_type1_info_dma_avail, header); OFF(V, vfio_iommu_type1_info_dma_avail, avail);
    SIZE(V, vfio_iommu_type1_dma_map);
    OFF(V, vfio_iommu_type1_dma_map, argsz); OFF(V, vfio_iommu_type1_dma_map, flags);
    OFF(V, vfio_iommu_type1_dma_map, vaddr); OFF(V, vfio_iommu_type1_dma_map, iova);
    OFF(V, vfio_iommu_type1_dma_map, size);
    SIZE(V, vfio_bitmap);
    OFF(V, vfio_bitmap, pgsize); OFF(V, vfio_bitmap, size); OFF(V, vfio_bitmap, data);
    SIZE(V, vfio_iommu_type1_dma_unmap);
    OFF(V, vfio_iommu_type1_dma_unmap, argsz); OFF(V, vfio_iommu_type1_dma_unmap, flags);
    OFF(V, vfio_iommu_type1_dma_unmap, iova); OFF(V, vfio_iommu_type1_dma_unmap, size);
    FLEX(V, vfio_iommu_type1_dma_unmap, data);
    SIZE(V, vfio_iommu_type1_dirty_bitmap);
    OFF(V, vfio_iommu_type1_dirty_bitmap, argsz); OFF(V, vfio_iommu_type1_dirty_bitmap, flags);
    FLEX(V, vfio_iommu_type1_dirty_bitmap, data);
    SIZE(V, vfio_iommu_type1_dirty_bitmap_get);
    OFF(V, vfio_iommu_type1_dirty_bitmap_get, iova); OFF(V, vfio_iommu_type1_dirty_bitmap_get, size);
    OFF(V, vfio_iommu_type1_dirty_bitmap_get, bitmap);

    SIZE(V, vfio_iommu_spapr_tce_ddw_info);
    OFF(V, vfio_iommu_spapr_tce_ddw_info, pgsizes);
    OFF(V, vfio_iommu_spapr_tce_ddw_info, max_dynamic_windows_supported);
    OFF(V, vfio_iommu_spapr_tce_ddw_info, levels);
    SIZE(V, vfio_iommu_spapr_tce_info);
    OFF(V, vfio_iommu_spapr_tce_info, argsz); OFF(V, vfio_iommu_spapr_tce_info, flags);
    OFF(V, vfio_iommu_spapr_tce_info, dma32_window_start); OFF(V, vfio_iommu_spapr_tce_info, dma32_window_size);
    OFF(V, vfio_iommu_spapr_tce_info, ddw);
    SIZE(V, vfio_eeh_pe_err);
    OFF(V, vfio_eeh_pe_err, type); OFF(V, vfio_eeh_pe_err, func); OFF(V, vfio_eeh_pe_err, addr);
    OFF(V, vfio_eeh_pe_err, mask);
    SIZE(V, vfio_eeh_pe_op);
    OFF(V, vfio_eeh_pe_op, argsz); OFF(V, vfio_eeh_pe_op, flags); OFF(V, vfio_eeh_pe_op, op);
    OFF(V, vfio_eeh_pe_op, err);
    SIZE(V, vfio_iommu_spapr_register_memory);
    OFF(V, vfio_iommu_spapr_register_memory, argsz); OFF(V, vfio_iommu_spapr_register_memory, flags);
    OFF(V, vfio_iommu_spapr_register_memory, vaddr); OFF(V, vfio_iommu_spapr_register_memory, size);
    SIZE(V, vfio_iommu_spapr_tce_create);
    OFF(V, vfio_iommu_spapr_tce_create, argsz); OFF(V, vfio_iommu_spapr_tce_create, flags);
    OFF(V, vfio_iommu_spapr_tce_create, page_shift); OFF(V, vfio_iommu_spapr_tce_create, __resv1);
    OFF(V, vfio_iommu_spapr_tce_create, window_size); OFF(V, vfio_iommu_spapr_tce_create, levels);
    OFF(V, vfio_iommu_spapr_tce_create, __resv2); OFF(V, vfio_iommu_spapr_tce_create, start_addr);
    SIZE(V, vfio_iommu_spapr_tce_remove);
    OFF(V, vfio_iommu_spapr_tce_remove, argsz); OFF(V, vfio_iommu_spapr_tce_remove, flags);
    OFF(V, vfio_iommu_spapr_tce_remove, start_addr);
}

static void iommufd_all(void)
{
    CONST(I, IOMMUFD_TYPE); CONST(I, IOMMUFD_CMD_BASE); CONST(I, IOMMUFD_CMD_DESTROY);
    CONST(I, IOMMUFD_CMD_IOAS_ALLOC); CONST(I, IOMMUFD_CMD_IOAS_ALLOW_IOVAS); CONST(I, IOMMUFD_CMD_IOAS_COPY);
    CONST(I, IOMMUFD_CMD_IOAS_IOVA_RANGES); CONST(I, IOMMUFD_CMD_IOAS_MAP); CONST(I, IOMMUFD_CMD_IOAS_UNMAP);
    CONST(I, IOMMUFD_CMD_OPTION); CONST(I, IOMMUFD_CMD_VFIO_IOAS); CONST(I, IOMMUFD_CMD_HWPT_ALLOC);
    CONST(I, IOMMUFD_CMD_GET_HW_INFO); CONST(I, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING);
    CONST(I, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP); CONST(I, IOMMUFD_CMD_HWPT_INVALIDATE);
    CONST(I, IOMMUFD_CMD_FAULT_QUEUE_ALLOC);
#ifdef IOMMU_IOAS_MAP_FILE
    CONST(I, IOMMUFD_CMD_IOAS_MAP_FILE);
#endif
    CONST(I, IOMMU_IOAS_MAP_FIXED_IOVA); CONST(I, IOMMU_IOAS_MAP_WRITEABLE); CONST(I, IOMMU_IOAS_MAP_READABLE);
    CONST(I, IOMMU_OPTION_RLIMIT_MODE); CONST(I, IOMMU_OPTION_HUGE_PAGES);
    CONST(I, IOMMU_OPTION_OP_SET); CONST(I, IOMMU_OPTION_OP_GET);
    CONST(I, IOMMU_VFIO_IOAS_GET); CONST(I, IOMMU_VFIO_IOAS_SET); CONST(I, IOMMU_VFIO_IOAS_CLEAR);
    CONST(I, IOMMU_HWPT_ALLOC_NEST_PARENT); CONST(I, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
    CONST(I, IOMMU_HWPT_FAULT_ID_VALID);
    CONST(I, IOMMU_VTD_S1_SRE); CONST(I, IOMMU_VTD_S1_EAFE); CONST(I, IOMMU_VTD_S1_WPE);
    CONST(I, IOMMU_HWPT_DATA_NONE); CONST(I, IOMMU_HWPT_DATA_VTD_S1);
    CONST(I, IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17);
    CONST(I, IOMMU_HW_INFO_TYPE_NONE); CONST(I, IOMMU_HW_INFO_TYPE_INTEL_VTD);
    CONST(I, IOMMU_HW_CAP_DIRTY_TRACKING); CONST(I, IOMMU_HW_CAP_PCI_PASID_EXEC);
    CONST(I, IOMMU_HW_CAP_PCI_PASID_PRIV);
    CONST(I, IOMMU_HWPT_DIRTY_TRACKING_ENABLE); CONST(I, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
    CONST(I, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1); CONST(I, IOMMU_VTD_INV_FLAGS_LEAF);
    CONST(I, IOMMU_PGFAULT_FLAGS_PASID_VALID); CONST(I, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
    CONST(I, IOMMU_PGFAULT_PERM_READ); CONST(I, IOMMU_PGFAULT_PERM_WRITE); CONST(I, IOMMU_PGFAULT_PERM_EXEC);
    CONST(I, IOMMU_PGFAULT_PERM_PRIV);
    CONST(I, IOMMUFD_PAGE_RESP_SUCCESS); CONST(I, IOMMUFD_PAGE_RESP_INVALID);

    IOCTL(I, IOMMU_DESTROY); IOCTL(I, IOMMU_IOAS_ALLOC); IOCTL(I, IOMMU_IOAS_ALLOW_IOVAS);
    IOCTL(I, IOMMU_IOAS_COPY); IOCTL(I, IOMMU_IOAS_IOVA_RANGES); IOCTL(I, IOMMU_IOAS_MAP);
    IOCTL(I, IOMMU_IOAS_UNMAP); IOCTL(I, IOMMU_OPTION); IOCTL(I, IOMMU_VFIO_IOAS); IOCTL(I, IOMMU_HWPT_ALLOC);
    IOCTL(I, IOMMU_GET_HW_INFO); IOCTL(I, IOMMU_HWPT_SET_DIRTY_TRACKING); IOCTL(I, IOMMU_HWPT_GET_DIRTY_BITMAP);
    IOCTL(I, IOMMU_HWPT_INVALIDATE); IOCTL(I, IOMMU_FAULT_QUEUE_ALLOC);
#ifdef IOMMU_IOAS_MAP_FILE
    IOCTL(I, IOMMU_IOAS_MAP_FILE);
#endif

    SIZE(I, iommu_destroy); OFF(I, iommu_destroy, size); OFF(I, iommu_destroy, id);
    SIZE(I, iommu_ioas_alloc);
    OFF(I, iommu_ioas_alloc, size); OFF(I, iommu_ioas_alloc, flags); OFF(I, iommu_ioas_alloc, out_ioas_id);
    SIZE(I, iommu_iova_range); OFF(I, iommu_iova_range, start); OFF(I, iommu_iova_range, last);
    SIZE(I, iommu_ioas_iova_ranges);
    OFF(I, iommu_ioas_iova_ranges, size); OFF(I, iommu_ioas_iova_ranges, ioas_id);
    OFF(I, iommu_ioas_iova_ranges, num_iovas); OFF(I, iommu_ioas_iova_ranges, __reserved);
    OFF(I, iommu_ioas_iova_ranges, allowed_iovas); OFF(I, iommu_ioas_iova_ranges, out_iova_alignment);
    SIZE(I, iommu_ioas_allow_iovas);
    OFF(I, iommu_ioas_allow_iovas, size); OFF(I, iommu_ioas_allow_iovas, ioas_id);
    OFF(I, iommu_ioas_allow_iovas, num_iovas); OFF(I, iommu_ioas_allow_iovas, __reserved);
    OFF(I, iommu_ioas_allow_iovas, allowed_iovas);
    SIZE(I, iommu_ioas_map);
    OFF(I, iommu_ioas_map, size); OFF(I, iommu_ioas_map, flags); OFF(I, iommu_ioas_map, ioas_id);
    OFF(I, iommu_ioas_map, __reserved); OFF(I, iommu_ioas_map, user_va); OFF(I, iommu_ioas_map, length);
    OFF(I, iommu_ioas_map, iova);
#ifdef IOMMU_IOAS_MAP_FILE
    SIZE(I, iommu_ioas_map_file);
    OFF(I, iommu_ioas_map_file, size); OFF(I, iommu_ioas_map_file, flags); OFF(I, iommu_ioas_map_file, ioas_id);
    OFF(I, iommu_ioas_map_file, fd); OFF(I, iommu_ioas_map_file, start); OFF(I, iommu_ioas_map_file, length);
    OFF(I, iommu_ioas_map_file, iova);
#endif
    SIZE(I, iommu_ioas_copy);
    OFF(I, iommu_ioas_copy, size); OFF(I, iommu_ioas_copy, flags); OFF(I, iommu_ioas_copy, dst_ioas_id);
    OFF(I, iommu_ioas_copy, src_ioas_id); OFF(I, iommu_ioas_copy, length); OFF(I, iommu_ioas_copy, dst_iova);
    OFF(I, iommu_ioas_copy, src_iova);
    SIZE(I, iommu_ioas_unmap);
    OFF(I, iommu_ioas_unmap, size); OFF(I, iommu_ioas_unmap, ioas_id); OFF(I, iommu_ioas_unmap, iova);
    OFF(I, iommu_ioas_unmap, length);
    SIZE(I, iommu_option);
    OFF(I, iommu_option, size); OFF(I, iommu_option, option_id); OFF(I, iommu_option, op);
    OFF(I, iommu_option, __reserved); OFF(I, iommu_option, object_id); OFF(I, iommu_option, val64);
    SIZE(I, iommu_vfio_ioas);
    OFF(I, iommu_vfio_ioas, size); OFF(I, iommu_vfio_ioas, ioas_id); OFF(I, iommu_vfio_ioas, op);
    OFF(I, iommu_vfio_ioas, __reserved);
    SIZE(I, iommu_hwpt_vtd_s1);
    OFF(I, iommu_hwpt_vtd_s1, flags); OFF(I, iommu_hwpt_vtd_s1, pgtbl_addr); OFF(I, iommu_hwpt_vtd_s1, addr_width);
    OFF(I, iommu_hwpt_vtd_s1, __reserved);
    SIZE(I, iommu_hwpt_alloc);
    OFF(I, iommu_hwpt_alloc, size); OFF(I, iommu_hwpt_alloc, flags); OFF(I, iommu_hwpt_alloc, dev_id);
    OFF(I, iommu_hwpt_alloc, pt_id); OFF(I, iommu_hwpt_alloc, out_hwpt_id); OFF(I, iommu_hwpt_alloc, __reserved);
    OFF(I, iommu_hwpt_alloc, data_type); OFF(I, iommu_hwpt_alloc, data_len); OFF(I, iommu_hwpt_alloc, data_uptr);
    OFF(I, iommu_hwpt_alloc, fault_id); OFF(I, iommu_hwpt_alloc, __reserved2);
    SIZE(I, iommu_hw_info_vtd);
    OFF(I, iommu_hw_info_vtd, flags); OFF(I, iommu_hw_info_vtd, __reserved); OFF(I, iommu_hw_info_vtd, cap_reg);
    OFF(I, iommu_hw_info_vtd, ecap_reg);
    SIZE(I, iommu_hw_info);
    OFF(I, iommu_hw_info, size); OFF(I, iommu_hw_info, flags); OFF(I, iommu_hw_info, dev_id);
    OFF(I, iommu_hw_info, data_len); OFF(I, iommu_hw_info, data_uptr); OFF(I, iommu_hw_info, out_data_type);
    OFF(I, iommu_hw_info, out_max_pasid_log2); OFF(I, iommu_hw_info, __reserved);
    OFF(I, iommu_hw_info, out_capabilities);
    SIZE(I, iommu_hwpt_set_dirty_tracking);
    OFF(I, iommu_hwpt_set_dirty_tracking, size); OFF(I, iommu_hwpt_set_dirty_tracking, flags);
    OFF(I, iommu_hwpt_set_dirty_tracking, hwpt_id); OFF(I, iommu_hwpt_set_dirty_tracking, __reserved);
    SIZE(I, iommu_hwpt_get_dirty_bitmap);
    OFF(I, iommu_hwpt_get_dirty_bitmap, size); OFF(I, iommu_hwpt_get_dirty_bitmap, hwpt_id);
    OFF(I, iommu_hwpt_get_dirty_bitmap, flags); OFF(I, iommu_hwpt_get_dirty_bitmap, __reserved);
    OFF(I, iommu_hwpt_get_dirty_bitmap, iova); OFF(I, iommu_hwpt_get_dirty_bitmap, length);
    OFF(I, iommu_hwpt_get_dirty_bitmap, page_size); OFF(I, iommu_hwpt_get_dirty_bitmap, data);
    SIZE(I, iommu_hwpt_vtd_s1_invalidate);
    OFF(I, iommu_hwpt_vtd_s1_invalidate, addr); OFF(I, iommu_hwpt_vtd_s1_invalidate, npages);
    OFF(I, iommu_hwpt_vtd_s1_invalidate, flags); OFF(I, iommu_hwpt_vtd_s1_invalidate, __reserved);
    SIZE(I, iommu_hwpt_invalidate);
    OFF(I, iommu_hwpt_invalidate, size); OFF(I, iommu_hwpt_invalidate, hwpt_id);
    OFF(I, iommu_hwpt_invalidate, data_uptr); OFF(I, iommu_hwpt_invalidate, data_type);
    OFF(I, iommu_hwpt_invalidate, entry_len); OFF(I, iommu_hwpt_invalidate, entry_num);
    OFF(I, iommu_hwpt_invalidate, __reserved);
    SIZE(I, iommu_hwpt_pgfault);
    OFF(I, iommu_hwpt_pgfault, flags); OFF(I, iommu_hwpt_pgfault, dev_id); OFF(I, iommu_hwpt_pgfault, pasid);
    OFF(I, iommu_hwpt_pgfault, grpid); OFF(I, iommu_hwpt_pgfault, perm); OFF(I, iommu_hwpt_pgfault, __reserved);
    OFF(I, iommu_hwpt_pgfault, addr); OFF(I, iommu_hwpt_pgfault, length); OFF(I, iommu_hwpt_pgfault, cookie);
    SIZE(I, iommu_hwpt_page_response);
    OFF(I, iommu_hwpt_page_response, cookie); OFF(I, iommu_hwpt_page_response, code);
    SIZE(I, iommu_fault_alloc);
    OFF(I, iommu_fault_alloc, size); OFF(I, iommu_fault_alloc, flags); OFF(I, iommu_fault_alloc, out_fault_id);
    OFF(I, iommu_fault_alloc, out_fault_fd);
}

static void libc_all(void)
{
    CONST(L, O_RDONLY); CONST(L, O_WRONLY); CONST(L, O_RDWR); CONST(L, O_NONBLOCK); CONST(L, O_CLOEXEC);
    CONST(L, EFD_SEMAPHORE); CONST(L, EFD_NONBLOCK); CONST(L, EFD_CLOEXEC);
    CONST(L, POLLIN); CONST(L, POLLPRI); CONST(L, POLLOUT); CONST(L, POLLERR); CONST(L, POLLHUP); CONST(L, POLLNVAL);
    SIZE(L, pollfd); OFF(L, pollfd, fd); OFF(L, pollfd, events); OFF(L, pollfd, revents);
    ERRNO(EPERM); ERRNO(ENOENT); ERRNO(ESRCH); ERRNO(EINTR); ERRNO(EIO); ERRNO(ENXIO); ERRNO(E2BIG);
    ERRNO(ENOEXEC); ERRNO(EBADF); ERRNO(ECHILD); ERRNO(EAGAIN); ERRNO(ENOMEM); ERRNO(EACCES); ERRNO(EFAULT);
    ERRNO(EBUSY); ERRNO(EEXIST); ERRNO(EXDEV); ERRNO(ENODEV); ERRNO(ENOTDIR); ERRNO(EISDIR); ERRNO(EINVAL);
    ERRNO(ENFILE); ERRNO(EMFILE); ERRNO(ENOTTY); ERRNO(EFBIG); ERRNO(ENOSPC); ERRNO(ESPIPE); ERRNO(EROFS);
    ERRNO(EPIPE); ERRNO(ERANGE); ERRNO(EDEADLK); ERRNO(ENAMETOOLONG); ERRNO(ENOSYS); ERRNO(ELOOP);
    ERRNO(ENODATA); ERRNO(ETIME); ERRNO(EOVERFLOW); ERRNO(EBADFD); ERRNO(EMSGSIZE); ERRNO(EOPNOTSUPP);
    ERRNO(EADDRINUSE); ERRNO(ETIMEDOUT); ERRNO(ECANCELED); ERRNO(EHWPOISON);
}

int main(void)
{
    meta();
    encodings();
    vfio_consts();
    vfio_ioctls();
    vfio_structs();
    iommufd_all();
    libc_all();
    return 0;
}

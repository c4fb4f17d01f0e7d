#!/bin/bash
# build-kernel.sh — prints the path of a guest kernel (bzImage) with the three
# VFIO modes, building it once from Debian's linux-source-6.12 when needed.
#
#   build-kernel.sh            print the cached kernel's path, building it if absent
#   build-kernel.sh --rebuild  rebuild even when cached
#
# Environment:
#   EAL_VM_KERNEL  a prebuilt bzImage: printed as is (checked to exist); no build.
#   EAL_VM_CACHE   cache folder, default /var/tmp/eal-vm. The kernel is cached as
#                  bzImage-<hash>, the hash covering kernel.config and the
#                  source package version, so editing the fragment rebuilds.
#   EAL_VM_JOBS    make -j, default nproc.
#
# The build: `make x86_64_defconfig kvm_guest.config`, kernel.config merged on
# top, `olddefconfig`, then a check that every VFIO option really is =y (a
# fragment line Kconfig dropped would otherwise go unnoticed until a test run).
# About 13 minutes and 2 GB on 2 cores; the source tree stays in the cache.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

REBUILD=0
case "${1:-}" in
"") ;;
--rebuild) REBUILD=1 ;;
-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) vm_die "unknown argument '$1': use --rebuild or no argument (see --help)" ;;
esac

if [ -n "${EAL_VM_KERNEL:-}" ]; then
	[ -s "$EAL_VM_KERNEL" ] || vm_die "EAL_VM_KERNEL=$EAL_VM_KERNEL is not a file: point it at a bzImage or unset it to build one"
	echo "$EAL_VM_KERNEL"; exit 0
fi

PKG=linux-source-6.12
CACHE=${EAL_VM_CACHE:-/var/tmp/eal-vm}
mkdir -p "$CACHE"
# the version apt would install, so a new Debian point release gets a new cache key
VERSION=$(apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
[ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] || {
	vm_note "apt does not know $PKG; running apt-get update"
	apt-get update -qq >/dev/null || true
	VERSION=$(apt-cache policy "$PKG" 2>/dev/null | awk '/Candidate:/ {print $2}')
	[ -n "$VERSION" ] && [ "$VERSION" != "(none)" ] ||
		vm_die "no Debian package $PKG: add bookworm-security/trixie to apt sources, or set EAL_VM_KERNEL to a prebuilt bzImage"
}
KEY=$( (cat "$HERE/kernel.config"; echo "$VERSION") | sha256sum | cut -c1-12)
IMAGE=$CACHE/bzImage-$KEY

exec 8>"$CACHE/.kernel.lock"   # one build at a time per cache
flock 8
if [ -s "$IMAGE" ] && [ $REBUILD = 0 ]; then echo "$IMAGE"; exit 0; fi

vm_need_packages make gcc flex bison bc libelf-dev libssl-dev xz-utils cpio
T0=$SECONDS
SRC=$CACHE/linux-$VERSION
if [ ! -f "$SRC/Makefile" ]; then
	vm_note "downloading $PKG $VERSION"
	DL=$(mktemp -d "$CACHE/dl.XXXXXX")
	(cd "$DL" && apt-get download -qq "$PKG=$VERSION") || vm_die "apt-get download $PKG=$VERSION failed: check the network or set EAL_VM_KERNEL"
	dpkg-deb -x "$DL"/*.deb "$DL/x"
	rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
	tar -xf "$DL/x/usr/src/$PKG.tar.xz" -C "$SRC.tmp" --strip-components=1
	mv "$SRC.tmp" "$SRC"
	rm -rf "$DL"
fi

vm_note "building the guest kernel in $SRC (one-time, about 13 min on 2 cores)"
cd "$SRC"
make -s x86_64_defconfig >/dev/null
make -s kvm_guest.config >/dev/null
./scripts/kconfig/merge_config.sh -m .config "$HERE/kernel.config" >/dev/null
make -s olddefconfig
for opt in VFIO VFIO_GROUP VFIO_CONTAINER VFIO_IOMMU_TYPE1 VFIO_NOIOMMU IOMMUFD VFIO_DEVICE_CDEV VFIO_PCI INTEL_IOMMU IRQ_REMAP 9P_FS NET_9P_VIRTIO; do
	grep -qx "CONFIG_$opt=y" .config || vm_die "the merged config lacks CONFIG_$opt=y: a dependency of it is off in eng/vm/kernel.config"
done
LOG=$CACHE/kernel-build-$KEY.log
make -j"${EAL_VM_JOBS:-$(nproc)}" bzImage >"$LOG" 2>&1 || { tail -40 "$LOG" >&2; vm_die "kernel build failed, full log in $LOG"; }
cp arch/x86/boot/bzImage "$IMAGE.tmp" && mv "$IMAGE.tmp" "$IMAGE"
vm_note "built $IMAGE ($(make -s kernelrelease)) in $((SECONDS - T0)) s"
echo "$IMAGE"

#!/bin/sh
# /init of the conformance VM: a busybox initramfs built by eng/vm/run-vm.sh.
# It mounts the host folders run-vm.sh shares over 9p, binds the test devices to
# vfio-pci, reserves hugepages, runs /ctl/cmd.sh and writes its exit status to
# /ctl/rc before powering off (run-vm.sh exits with that status).
#
# Kernel command line parameters it reads:
#   ealvm.mode=iommu|noiommu   exported as EAL_VM_MODE
#   ealvm.bind=BDF[,BDF...]    PCI functions to bind to vfio-pci (EAL_VM_BDFS)
#   ealvm.hugepages=N          2 MiB hugepages to reserve and mount at /dev/hugepages
# 9p shares: usr (host /usr, read-only), ctl (the run's folder), and one per
# line of /ctl/mounts ("tag rw|ro path": the repository and NuGet caches).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/hugepages
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /tmp/home
ln -sf /proc/self/fd /dev/fd
ip link set lo up 2>/dev/null   # .NET and test hosts may talk over loopback
hostname ealvm
say() { echo "[ealvm] $*"; }

MODE=iommu BIND= HUGEPAGES=0
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	ealvm.mode=*) MODE=${arg#*=} ;;
	ealvm.bind=*) BIND=$(echo "${arg#*=}" | tr ',' ' ') ;;
	ealvm.hugepages=*) HUGEPAGES=${arg#*=} ;;
	esac
done

P9=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $P9,ro,cache=loose usr /usr || say "cannot mount the host's /usr: dotnet will be missing"
mkdir -p /ctl
if ! mount -t 9p -o $P9 ctl /ctl; then say "cannot mount the ctl share; powering off"; poweroff -f; fi
WORKDIR=/
while read -r tag access path; do
	[ -n "$tag" ] || continue
	mkdir -p "$path"
	opts=$P9; [ "$access" = ro ] && opts=$P9,ro,cache=loose
	mount -t 9p -o "$opts" "$tag" "$path" || say "cannot mount $tag at $path"
	[ "$tag" = repo ] && WORKDIR=$path
done < /ctl/mounts

# The unsafe no-IOMMU mode is a kernel parameter the harness sets; say so loudly.
if [ "$MODE" = noiommu ]; then
	say "no-IOMMU mode: vfio.enable_unsafe_noiommu_mode=$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>/dev/null || echo '?') (UNSAFE: devices can DMA anywhere)"
fi

BOUND=
for bdf in $BIND; do
	dev=/sys/bus/pci/devices/$bdf
	if [ ! -e "$dev" ]; then say "no PCI function $bdf"; continue; fi
	[ -e "$dev/driver" ] && echo "$bdf" > "$dev/driver/unbind"
	echo vfio-pci > "$dev/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	group=$(basename "$(readlink "$dev/iommu_group" 2>/dev/null)")
	say "$bdf $(cat "$dev/vendor"):$(cat "$dev/device") driver=$(basename "$(readlink "$dev/driver" 2>/dev/null)") group=$group cdev=$(ls "$dev/vfio-dev" 2>/dev/null || echo none)"
	BOUND="$BOUND${BOUND:+,}$bdf"
done

if [ "$HUGEPAGES" -gt 0 ] 2>/dev/null; then
	echo "$HUGEPAGES" > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages || say "cannot mount hugetlbfs"
fi
say "mode=$MODE kernel=$(uname -r) hugepages=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) /dev/vfio: $(ls /dev/vfio 2>/dev/null | tr '\n' ' ')iommufd: $([ -c /dev/iommu ] && echo yes || echo no)"

export EAL_VM_MODE=$MODE EAL_VM_BDFS=$BOUND HOME=/tmp/home TMPDIR=/tmp
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
SHELL_BIN=/bin/sh; [ -x /usr/bin/bash ] && SHELL_BIN=/usr/bin/bash
cd "$WORKDIR"
: > /ctl/started
$SHELL_BIN /ctl/cmd.sh </dev/null
rc=$?
echo "$rc" > /ctl/rc
sync
say "command exited with $rc"
poweroff -f

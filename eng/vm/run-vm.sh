#!/bin/bash
# run-vm.sh — boots a throwaway QEMU VM on a real Linux 6.12 kernel whose test PCI
# devices are bound to vfio-pci, runs one command inside, powers off, and exits
# with the command's exit status.
#
#   eng/vm/run-vm.sh [-m iommu|noiommu] [-d DEVICE]... [-r DIR]... [--] 'command'
#
#   -m iommu    (default) q35 + QEMU's Intel VT-d (intel-iommu, interrupt
#               remapping, caching mode): the group/container API (type1v2) and
#               the cdev/IOMMUFD API both work in this one boot.
#   -m noiommu  no IOMMU, kernel booted with vfio.enable_unsafe_noiommu_mode=1:
#               the devices appear as /dev/vfio/noiommu-N (group API only).
#   -d DEVICE   a QEMU -device spec to bind to vfio-pci, repeatable; they sit at
#               00:10.0, 00:11.0, ... in order. Default: edu (with a 64-bit DMA
#               mask, so no-IOMMU DMA to guest-physical addresses above 256 MiB
#               works) and e1000e.
#   -r DIR      an extra host folder shared read-only at the same path.
#
# The repository (this script's ../..) is shared read-write at its own path and
# is the working directory; the host's /usr is shared read-only (so dotnet is
# the host's); NuGet package folders ($NUGET_PACKAGES or ~/.nuget/packages, and
# /opt/nuget) are shared read-only, since restored projects name packages by
# absolute path. Inside: root, HOME=/tmp/home, EAL_VM_MODE, EAL_VM_BDFS (the
# bound functions, comma-separated), 2 MiB hugepages mounted at /dev/hugepages.
#
# Environment:
#   EAL_VM_KERNEL   a prebuilt bzImage (else build-kernel.sh builds and caches one)
#   EAL_VM_CACHE    cache folder, default /var/tmp/eal-vm (kernel, initramfs, runs)
#   EAL_VM_MEM      guest MiB, default 2048
#   EAL_VM_HUGEPAGES  2 MiB pages to reserve in the guest, default 128
#   EAL_VM_TIMEOUT  seconds for one boot, default 900
#   EAL_VM_ACCEL    tcg (default) or kvm (only on hosts with real VT-x/AMD-V)
#   EAL_VM_VERBOSE  1 = the whole kernel log on the console
#   EAL_VM_QEMU_ARGS  extra QEMU arguments, split on blanks (e.g. device tracing:
#                   "-trace e1000e_irq_msix* -D /tmp/qemu-trace.log")
#
# Exit status: the command's; 125 when the VM never reported one (QEMU failed to
# start, the guest died, or the timeout passed), with the reason on stderr;
# 2 for usage errors.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd -P)
. "$HERE/lib.sh"

usage() { echo "usage: eng/vm/run-vm.sh [-m iommu|noiommu] [-d DEVICE]... [-r DIR]... [--] 'command' (see -h)" >&2; exit 2; }
MODE=iommu DEVICES=() SHARED_RO=()
while getopts "m:d:r:h" opt; do
	case $opt in
	m) MODE=$OPTARG ;;
	d) DEVICES+=("$OPTARG") ;;
	r) SHARED_RO+=("$OPTARG") ;;
	h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $MODE in iommu|noiommu) ;; *) echo "run-vm.sh: -m $MODE: the mode is iommu or noiommu" >&2; exit 2 ;; esac
[ ${#DEVICES[@]} -gt 0 ] || DEVICES=(edu,dma_mask=0xffffffffffffffff e1000e)

CACHE=${EAL_VM_CACHE:-/var/tmp/eal-vm}
TIMEOUT=${EAL_VM_TIMEOUT:-900}
ACCEL=${EAL_VM_ACCEL:-tcg}
mkdir -p "$CACHE"
T0=$SECONDS

vm_need_packages qemu-system-x86 busybox-static cpio gzip
command -v qemu-system-x86_64 >/dev/null || { echo "run-vm.sh: qemu-system-x86_64 is not installed and could not be installed: apt-get install qemu-system-x86" >&2; exit 125; }
KERNEL=$("$HERE/build-kernel.sh") || { echo "run-vm.sh: no guest kernel (see above): set EAL_VM_KERNEL to a bzImage or fix the build" >&2; exit 125; }

# The initramfs is busybox plus guest-init.sh; rebuilt when either changes.
BUSYBOX=$(command -v busybox)
INITRD=$CACHE/initramfs-$( (cat "$HERE/guest-init.sh"; sha256sum "$BUSYBOX") | sha256sum | cut -c1-12).cpio.gz
exec 8>"$CACHE/.initramfs.lock"
flock 8
if [ ! -s "$INITRD" ]; then
	ROOT=$(mktemp -d "$CACHE/initramfs.XXXXXX")
	mkdir -p "$ROOT"/{bin,sbin,dev,proc,sys,tmp,usr,etc,ctl}
	cp "$BUSYBOX" "$ROOT/bin/busybox"
	for applet in $("$BUSYBOX" --list); do [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"; done
	# the host's /usr is mounted over usr/; the dynamic loader is found through these
	ln -s usr/lib "$ROOT/lib"; ln -s usr/lib64 "$ROOT/lib64"
	echo 'root:x:0:0:root:/tmp/home:/bin/sh' > "$ROOT/etc/passwd"
	echo 'root:x:0:' > "$ROOT/etc/group"
	echo '127.0.0.1 localhost' > "$ROOT/etc/hosts"
	cp "$HERE/guest-init.sh" "$ROOT/init"
	(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$ROOT"
fi
flock -u 8

RUN=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
printf '%s\n' "$*" > "$RUN/cmd.sh"
# QEMU option values escape ',' as ',,'
share() { # share TAG PATH ro|rw
	local ro=; [ "$3" = ro ] && ro=,readonly=on
	SHARES+=(-fsdev "local,id=$1,path=${2//,/,,},security_model=none$ro" -device "virtio-9p-pci,fsdev=$1,mount_tag=$1")
}
SHARES=()
share usr /usr ro
share ctl "$RUN" rw
share repo "$REPO" rw
echo "repo rw $REPO" > "$RUN/mounts"
for d in "${NUGET_PACKAGES:-${HOME:-/root}/.nuget/packages}" /opt/nuget; do [ -d "$d" ] && SHARED_RO+=("$d"); done
i=0
for d in "${SHARED_RO[@]}"; do
	[ -d "$d" ] || { echo "run-vm.sh: -r $d: no such folder" >&2; exit 2; }
	d=$(cd "$d" && pwd -P)
	case $d in "$REPO"|"$REPO"/*|/usr|/usr/*) continue ;; esac
	share "ro$i" "$d" ro
	echo "ro$i ro $d" >> "$RUN/mounts"
	i=$((i + 1))
done

APPEND="console=ttyS0 panic=-1 edd=off tsc=reliable no_timer_check ealvm.mode=$MODE ealvm.hugepages=${EAL_VM_HUGEPAGES:-128}"
[ "${EAL_VM_VERBOSE:-0}" = 1 ] || APPEND="$APPEND quiet loglevel=3"
IOMMU=()
if [ "$MODE" = iommu ]; then
	IOMMU=(-device intel-iommu,intremap=on,caching-mode=on)
	APPEND="$APPEND intel_iommu=on iommu=nopt"
else
	# The no-IOMMU mode must be asked for: it lets devices DMA anywhere in guest memory.
	APPEND="$APPEND vfio.enable_unsafe_noiommu_mode=1"
	vm_note "noiommu: booting with vfio.enable_unsafe_noiommu_mode=1 (unsafe mode, required for /dev/vfio/noiommu-N)"
fi
PCI=() BDFS=()
slot=16
for d in "${DEVICES[@]}"; do
	PCI+=(-device "$d,addr=$(printf '%02x' $slot).0")
	BDFS+=("$(printf '0000:00:%02x.0' $slot)")
	slot=$((slot + 1))
done
APPEND="$APPEND ealvm.bind=$(IFS=,; echo "${BDFS[*]}")"
case $ACCEL in
tcg) QACCEL=(-accel tcg,thread=multi -cpu max -machine q35) ;;
kvm) QACCEL=(-accel kvm -cpu host -machine q35,kernel-irqchip=split) ;;
*) echo "run-vm.sh: EAL_VM_ACCEL=$ACCEL: use tcg or kvm" >&2; exit 2 ;;
esac

# One vCPU: with two under multi-threaded TCG the guest now and then dies early
# in boot while static keys are being patched. Such a boot (the guest never
# started the command) is retried; a failure after the command started is not.
for attempt in 1 2 3; do
	rm -f "$RUN/rc" "$RUN/started"
	vm_note "boot $attempt: $ACCEL, mode=$MODE, devices ${DEVICES[*]}, kernel $KERNEL ($((SECONDS - T0)) s)"
	set +e
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${QACCEL[@]}" "${IOMMU[@]}" -m "${EAL_VM_MEM:-2048}" -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev stdio,id=console,signal=off -serial chardev:console \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
		"${SHARES[@]}" "${PCI[@]}" ${EAL_VM_QEMU_ARGS:-} </dev/null | tr -d '\r'
	qemu_rc=${PIPESTATUS[0]}
	set -e
	if [ -s "$RUN/rc" ]; then
		rc=$(cat "$RUN/rc")
		vm_note "command exit status $rc after $((SECONDS - T0)) s"
		exit "$rc"
	fi
	if [ -e "$RUN/started" ]; then
		echo "run-vm.sh: the VM died or timed out while the command ran (qemu exit $qemu_rc, 124 = timeout of $TIMEOUT s)" >&2
		exit 125
	fi
	[ "$qemu_rc" = 0 ] || { echo "run-vm.sh: QEMU failed (exit $qemu_rc) before the guest started the command; see its message above" >&2; exit 125; }
	vm_note "the guest died before the command started; retrying"
done
echo "run-vm.sh: the guest died before the command started in 3 boots; run with EAL_VM_VERBOSE=1 to see the kernel log" >&2
exit 125

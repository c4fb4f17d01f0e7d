#!/bin/bash
# conformance.sh — the real-kernel conformance run of issue 7: builds the console
# runner (Tests/Eal.RealKernel.Runner), boots the VM twice — `iommu` (group and
# cdev/IOMMUFD in one boot) and `noiommu` (the unsafe no-IOMMU mode) — runs every
# Real…/Emulated… twin in each, and prints the modes × checks tables and one
# "N passed, N failed" line.
#
#   eng/vm/conformance.sh [--update-docs] [--runner DLL]
#
#   --update-docs  also write the tables into docs/real-kernel-conformance.md
#                  (between its conformance-table markers)
#   --runner DLL   use this already built realkernel-runner.dll (it must lie
#                  inside the repository, the only host folder the VM sees)
#                  instead of building one (eng/test.sh passes the one its
#                  solution build made)
#
# Outputs (git-ignored, inside the repository because only it is shared with the
# VM): artifacts/vm-conformance/{iommu,noiommu}.{log,tsv}, table.md.
# Environment: as eng/vm/run-vm.sh (EAL_VM_KERNEL for a prebuilt kernel, else one
# is built once, ~13 min). Exit status 0 only when both boots ran, every case
# passed, no errno differs undocumented, and each boot's modes had real cases.
# Where QEMU or the kernel is unavailable it fails with the reason — it never
# skips.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd -P)
. "$HERE/lib.sh"
UPDATE_DOCS=0 RUNNER=
while [ $# -gt 0 ]; do
	case $1 in
	--update-docs) UPDATE_DOCS=1 ;;
	--runner) [ $# -ge 2 ] || vm_die "--runner needs the path of realkernel-runner.dll"; RUNNER=$(realpath "$2"); shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) vm_die "unknown argument '$1' (use --update-docs, --runner DLL or --help)" ;;
	esac
	shift
done

OUT=$REPO/artifacts/vm-conformance
mkdir -p "$OUT"
rm -f "$OUT"/*.tsv "$OUT"/*.log "$OUT/table.md"
T0=$SECONDS
if [ -n "$RUNNER" ]; then
	[ -f "$RUNNER" ] || vm_die "--runner $RUNNER: no such file; build Tests/Eal.RealKernel.Runner first"
	case $RUNNER in "$REPO"/*) ;; *) vm_die "--runner $RUNNER lies outside $REPO, which the VM cannot see" ;; esac
else
	RUNNER=$OUT/build/bin/Eal.RealKernel.Runner/release/realkernel-runner.dll
	vm_note "building the runner into $OUT/build"
	dotnet build "$REPO/Tests/Eal.RealKernel.Runner" -c Release --artifacts-path "$OUT/build" -nologo -v quiet >"$OUT/build.log" 2>&1 ||
		{ tail -30 "$OUT/build.log" >&2; vm_die "the runner did not build (log: $OUT/build.log)"; }
fi

status=0 passed=0 failed=0
# boot MODE EXPECT: one VM run of the runner; its counts are added up, a failed or missing run is a failure
boot() {
	local mode=$1 expect=$2 rc=0 counts
	vm_note "boot $mode: the runner expects real $expect cases"
	"$HERE/run-vm.sh" -m "$mode" "dotnet '$RUNNER' run --expect $expect --results '$OUT/$mode.tsv'" >"$OUT/$mode.log" 2>&1 || rc=$?
	# QEMU 7.2's e1000e can abort the whole VM when an MSI-X throttling timer fires after the vector table was
	# disabled (assert in e1000e_intrmgr_on_msix_throttling_timer, hw/net/e1000e_core.c): a host bug, not a result.
	# The e1000e driver waits out the throttling interval before it disables vectors, so this should not happen; as a
	# backstop such a boot is run once more, and says so; a second abort fails as any dead boot does.
	if [ "$rc" = 125 ] && grep -q 'e1000e_intrmgr_on_msix_throttling_timer: Assertion' "$OUT/$mode.log"; then
		vm_note "boot $mode: QEMU aborted in e1000e's MSI-X throttling timer (QEMU 7.2 bug); running the boot once more"
		mv "$OUT/$mode.log" "$OUT/$mode.qemu-abort.log"
		rm -f "$OUT/$mode.tsv"
		rc=0
		"$HERE/run-vm.sh" -m "$mode" "dotnet '$RUNNER' run --expect $expect --results '$OUT/$mode.tsv'" >"$OUT/$mode.log" 2>&1 || rc=$?
	fi
	grep -E '^(pass|FAIL|     |errno|error|\[ealvm\]|\[run-vm|\[build-kernel|run-vm|[0-9]+ (passed|ignored))' "$OUT/$mode.log" | grep -v '^pass ' || true
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/$mode.log" | tail -1 || true)
	if [ "$rc" = 125 ] || [ -z "$counts" ] || [ ! -s "$OUT/$mode.tsv" ]; then
		echo "conformance.sh: the $mode boot did not run the runner to its end (exit $rc): see $OUT/$mode.log" >&2
		failed=$((failed + 1)) status=1
		return
	fi
	passed=$((passed + ${counts%% passed*}))
	failed=$((failed + $(echo "$counts" | sed -E 's/.* ([0-9]+) failed/\1/')))
	[ "$rc" = 0 ] || status=1
}
boot iommu group,cdev
boot noiommu noiommu

tsvs=()
for m in iommu noiommu; do [ -s "$OUT/$m.tsv" ] && tsvs+=("$OUT/$m.tsv"); done
if [ ${#tsvs[@]} -gt 0 ]; then
	dotnet "$RUNNER" table "${tsvs[@]}" --out "$OUT/table.md"
	cat "$OUT/table.md"
	if [ $UPDATE_DOCS = 1 ]; then
		DOC=$REPO/docs/real-kernel-conformance.md
		grep -q '<!-- conformance-table:begin -->' "$DOC" || vm_die "$DOC has no '<!-- conformance-table:begin -->' marker: add the begin/end markers where the tables go"
		{
			sed '/<!-- conformance-table:begin -->/q' "$DOC"
			echo "Measured $(date -u +%Y-%m-%d) on $(uname -m), kernel $(grep -ohE 'kernel=[^ ]+' "$OUT"/*.log | head -1 | cut -d= -f2) under QEMU $(qemu-system-x86_64 --version | head -1 | grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?' | head -1) (TCG), both boots: $((SECONDS - T0)) s."
			echo
			cat "$OUT/table.md"
			sed -n '/<!-- conformance-table:end -->/,$p' "$DOC"
		} >"$DOC.tmp" && mv "$DOC.tmp" "$DOC"
		vm_note "tables written into $DOC"
	fi
fi
vm_note "both boots in $((SECONDS - T0)) s"
echo "$passed passed, $failed failed"
[ $status = 0 ] && [ $failed = 0 ]

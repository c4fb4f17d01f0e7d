#!/usr/bin/env bash
# Runs the whole test suite the way CI does, on a fresh machine of this kind (Debian 12, root, .NET 10 SDK).
# It prepares what the tests need (hugepages + hugetlbfs), builds in Release, runs every test project, then the
# real-kernel conformance in a VM (eng/vm/conformance.sh: Linux 6.12 under QEMU, group/cdev and no-IOMMU boots),
# and ends with one summary line: "N passed, N failed, N skipped" covering both.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
    # Real hugepages for the memory tests; failures here are not fatal (the tests say what they skip).
    sh eng/setup-hugepages.sh 256 /dev/hugepages || echo "test.sh: hugepage setup failed; hugepage tests will report it" >&2
else
    echo "test.sh: not root: hugepages are not reserved, hugepage tests will be skipped with a message" >&2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build Eal.sln -c Release -nologo -v quiet 2>&1 | tail -n 30
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
    echo "0 passed, 1 failed (the build failed)"
    exit "$build"
fi

dotnet test Eal.sln -c Release --no-build -nologo -v minimal 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" lines.
counts=$(awk '
  /(Passed|Failed)! *- *Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:")  f += $(i+1)
      if ($i == "Passed:")  p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
    projects++
  }
  END { if (projects == 0) print "none"; else printf "%d %d %d\n", p, f, s }' "$log")
if [ "$counts" = none ]; then
    echo "0 passed, 1 failed (no test project reported results)"
    exit 1
fi
read -r passed failed skipped <<<"$counts"
[ "$passed" -gt 0 ] || status=1

# Real-kernel conformance: its own "N passed, N failed" line is added to the totals; a VM that cannot run fails.
vm_log=$(mktemp)
trap 'rm -f "$log" "$vm_log"' EXIT
bash eng/vm/conformance.sh --runner Tests/Eal.RealKernel.Runner/bin/Release/net10.0/realkernel-runner.dll 2>&1 | tee "$vm_log"
vm_status=${PIPESTATUS[0]}
vm_counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$vm_log" | tail -1)
if [ -z "$vm_counts" ]; then
    echo "test.sh: eng/vm/conformance.sh printed no counts (exit $vm_status); see its output above" >&2
    failed=$((failed + 1)) status=1
else
    passed=$((passed + ${vm_counts%% passed*}))
    vm_failed=${vm_counts##*, }
    failed=$((failed + ${vm_failed%% failed}))
fi
[ "$vm_status" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"

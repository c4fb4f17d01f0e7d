#!/usr/bin/env bash
# Runs the whole test suite the way CI does, on a fresh machine of this kind (Debian 12, root, .NET 10 SDK).
# It prepares what the tests need (hugepages + hugetlbfs), builds in Release, runs every test project and
# ends with one summary line: "N passed, N failed, N skipped".
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

# Sum the per-project "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" lines into one line.
awk '
  /(Passed|Failed)! *- *Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:")  f += $(i+1)
      if ($i == "Passed:")  p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
    projects++
  }
  END {
    if (projects == 0) { print "0 passed, 1 failed (no test project reported results)"; exit 1 }
    printf "%d passed, %d failed, %d skipped\n", p, f, s
    if (p == 0) exit 1
  }' "$log" || status=1
exit "$status"

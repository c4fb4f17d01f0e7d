#!/usr/bin/env bash
# Compares our devargs parser with DPDK's rte_devargs_parse over a corpus.
#   eng/devargs-oracle/compare.sh [corpus]        (default: eng/devargs-oracle/corpus.txt)
# Needs Debian's DPDK 22.11 (apt-get install -y dpdk dpdk-dev), gcc, pkg-config, python3 and the .NET SDK.
# Builds the oracle and our runner under $OUT (default /tmp/devargs-oracle), nothing in the tree.
# OURS may name another command that reads devargs lines and prints the same JSON, e.g.
#   OURS="dotnet run --project Examples/EalInfo -- --parse-devargs" eng/devargs-oracle/compare.sh
# Exit status: 0 when every difference is listed in expected-differences.txt, 1 otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-$here/corpus.txt}
out=${OUT:-/tmp/devargs-oracle}
mkdir -p "$out"

pkg-config --exists libdpdk || { echo "libdpdk not found: apt-get install -y dpdk dpdk-dev" >&2; exit 2; }

# The drivers must be linked (not just available as plugins) so that their constructors register the pci and
# vdev buses, the net_null/net_ring vdev drivers and the eth class, as in an application linked against them.
gcc -O1 -Wall -Wextra -DALLOW_EXPERIMENTAL_API -o "$out/oracle" "$here/oracle.c" \
    $(pkg-config --cflags libdpdk) \
    -Wl,--no-as-needed -lrte_bus_pci -lrte_bus_vdev -lrte_net_null -lrte_net_ring -lrte_ethdev -Wl,--as-needed \
    $(pkg-config --libs libdpdk)

if [[ -z "${OURS:-}" ]]; then
    dotnet build "$here/runner/DevargsRunner.csproj" --artifacts-path "$out/art" -v quiet -nologo >"$out/build.log" 2>&1 \
        || { cat "$out/build.log" >&2; exit 2; }
    OURS="dotnet $out/art/bin/DevargsRunner/debug/DevargsRunner.dll"
fi

grep -v -e '^#' -e '^$' "$corpus" >"$out/input.txt"
echo "DPDK $(pkg-config --modversion libdpdk): $("$out/oracle" --buses | tr '\n' ' ')"
"$out/oracle" <"$out/input.txt" >"$out/dpdk.jsonl"
(cd "$root" && $OURS <"$out/input.txt" >"$out/ours.jsonl") || true

python3 - "$out/dpdk.jsonl" "$out/ours.jsonl" "$here/expected-differences.txt" <<'PY'
import json, sys
dpdk = [json.loads(l) for l in open(sys.argv[1])]
ours = [json.loads(l) for l in open(sys.argv[2])]
try:
    expected = {l.rstrip("\n") for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")}
except FileNotFoundError:
    expected = set()
if len(dpdk) != len(ours):
    sys.exit(f"line count differs: DPDK {len(dpdk)}, ours {len(ours)}")
fields = ["in", "ok", "bus", "name", "args", "class"]   # error texts differ by design; ok says whether both failed
same = diff = documented = 0
for d, o in zip(dpdk, ours):
    if all(d[f] == o[f] for f in fields):
        same += 1
        continue
    diff += 1
    known = d["in"] in expected
    documented += known
    print(("DOCUMENTED " if known else "DIFFERENT  ") + json.dumps(d["in"]))
    print("  dpdk: " + json.dumps(d))
    print("  ours: " + json.dumps(o))
print(f"{same} same, {diff} different ({documented} documented in docs/devargs.md, {diff - documented} not)")
sys.exit(0 if diff == documented else 1)
PY

#!/usr/bin/env bash
# Side-by-side: our Ring/Mempool against DPDK 22.11 (Debian's packages) on this machine, in one run.
#
#   Ring:    `dpdk-test` ring_perf_autotest, section "Testing bulk enq/deq", legacy (pointer) API rows
#            "SP/SC: bulk (size: 8|32)" and "MP/MC: bulk (size: 8|32)". DPDK 22.11 prints TSC cycles per
#            *iteration* (one bulk enqueue of n + one bulk dequeue of n); we divide by n for cycles per element.
#            Ours: `Eal.Benchmarks dpdk-compare --ring` runs the same loop (2^23 iterations, 4096-slot ring, one
#            timed pass, rdtsc) and prints both.
#   Mempool: DPDK's own rte_mempool_generic_get/put (cache=512, cores=1, constant_n=0; keep 32/128/512 x get/put
#            bulk 1/4/8/32, mempool_perf_autotest 22.11.11's loop and sizes) timed by eng/bench/mempool_perf_dpdk.c
#            (built here with -O3 -march=native against libdpdk), because the real autotest runs ~1 h; FULL=1 also
#            runs the real autotest once (not part of the medians). Ours: `dpdk-compare --mempool`. Objects per second.
#            Layout: the loop stores to the cache slots and loads from the table (and back); where their low 12
#            address bits line up the CPU stalls loads on unrelated stores (4K aliasing), which alone moves a case by
#            up to 2x. DPDK's driver prints (table - cache slots) mod 4096 and ours places its table the same way.
#
# Trust: ROUNDS alternating rounds (DPDK, ours, DPDK, ours, ...), every process pinned to one CPU
# (`taskset -c $CPU`, EAL `-l $CPU`), the median per row over the rounds, min..max shown; the load average is
# read before and after; above LOAD_MAX the figures are printed as NOT FINAL. "best" = ratio of the best round of
# each side (preemption only ever adds time, so the best round is the least disturbed one).
#
# Usage: eng/bench/ring-mempool-vs-dpdk.sh
#   env: ROUNDS=5 SECONDS_PER_CASE=0.25 CPU=1 LOAD_MAX=0.5 FULL=0 ART=/tmp/art-bench OURS_DLL=<prebuilt Eal.Benchmarks.dll>
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${ROUNDS:-5}"
SECS="${SECONDS_PER_CASE:-0.25}"
CPU="${CPU:-1}"
LOAD_MAX="${LOAD_MAX:-0.5}"
ART="${ART:-/tmp/art-bench}"
OUT="$(mktemp -d /tmp/ring-mempool-vs-dpdk.XXXXXX)"
EAL_ARGS=(--no-huge -m 512 --no-pci -l "$CPU" --log-level=lib.eal:error)
PIN=(taskset -c "$CPU")

if ! command -v dpdk-test >/dev/null || ! pkg-config --exists libdpdk 2>/dev/null || ! command -v gcc >/dev/null \
   || ! command -v taskset >/dev/null; then
  echo "== installing DPDK 22.11 (dpdk, dpdk-dev), gcc, pkg-config, util-linux (taskset)"
  apt-get update -qq && apt-get install -y -qq dpdk dpdk-dev gcc pkg-config util-linux >/dev/null
fi
DPDK_VERSION="$(dpkg-query -W -f '${Version}' dpdk 2>/dev/null || pkg-config --modversion libdpdk)"

if [[ -z "${OURS_DLL:-}" ]]; then
  echo "== building ours (Release)"
  dotnet build Tests/Benchmarks/Eal.Benchmarks.csproj -c Release --artifacts-path "$ART" -v q -nologo >"$OUT/build.log" 2>&1 \
    || { tail -20 "$OUT/build.log"; exit 1; }
  OURS_DLL="$(find "$ART/bin" -path '*release*' -name Eal.Benchmarks.dll | head -1)"
fi
gcc -O3 -march=native -o "$OUT/mempool_perf_dpdk" eng/bench/mempool_perf_dpdk.c $(pkg-config --cflags --libs libdpdk)

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== load average before: $LOAD_BEFORE (LOAD_MAX=$LOAD_MAX), $ROUNDS rounds, CPU $CPU, ${SECS}s per mempool case"

dpdk_ring() { # -> "RING SP/SC bulk 8 <cycles/elem> <cycles/bulk>"
  echo ring_perf_autotest | "${PIN[@]}" dpdk-test "${EAL_ARGS[@]}" >"$1.log" 2>&1 || true
  grep -q 'Test OK' "$1.log" || { echo "dpdk-test ring_perf_autotest failed, see $1.log" >&2; exit 1; }
  awk '/^### Testing bulk enq\/deq ###/{s=1;next} /^###/{s=0}
       s && /^legacy APIs: (SP\/SC|MP\/MC): bulk \(size: [0-9]+\):/ {
         match($0,/(SP\/SC|MP\/MC)/); m=substr($0,RSTART,RLENGTH); match($0,/size: [0-9]+/); z=substr($0,RSTART+6,RLENGTH-6)
         if (!((m,z) in seen)) { seen[m,z]=1; printf "RING %s bulk %s %.4f %.2f\n", m, z, $NF/z, $NF } }' "$1.log"
}
ours_ring() {
  "${PIN[@]}" dotnet "$OURS_DLL" dpdk-compare --ring >"$1.log" 2>&1 || { cat "$1.log" >&2; exit 1; }
  awk '/^RING/ { split($5,b,"="); split($6,e,"="); printf "RING %s bulk %s %.4f %.2f\n", $2, $4, e[2], b[2] }' "$1.log"
}
dpdk_mempool() {
  "${PIN[@]}" "$OUT/mempool_perf_dpdk" "${EAL_ARGS[@]}" -- "$SECS" >"$1.log" 2>&1 || { cat "$1.log" >&2; exit 1; }
  grep '^MEMPOOL' "$1.log" | sed 's/ rate_persec=/ /'
}
ours_mempool() { # $2 = DPDK's log of the same round: our table gets the layout DPDK's had (4K aliasing)
  local alias; alias="$(sed -n 's/^# layout: (table - cache slots) mod 4096 = //p' "$2.log")"
  [[ -n "$alias" ]] || { echo "no layout line in $2.log" >&2; exit 1; }
  "${PIN[@]}" dotnet "$OURS_DLL" dpdk-compare --mempool --mempool-seconds "$SECS" --mempool-table-alias "$alias" >"$1.log" 2>&1 || { cat "$1.log" >&2; exit 1; }
  grep '^MEMPOOL' "$1.log" | sed 's/ rate_persec=/ /'
}

for r in $(seq 1 "$ROUNDS"); do
  printf '   round %d/%d: dpdk ring, ours ring, dpdk mempool, ours mempool (load %s)\n' "$r" "$ROUNDS" "$(cut -d' ' -f1 /proc/loadavg)"
  dpdk_ring "$OUT/dpdk-ring.$r" | sed "s/^/$r dpdk /" >>"$OUT/all.txt"
  ours_ring "$OUT/ours-ring.$r" | sed "s/^/$r ours /" >>"$OUT/all.txt"
  dpdk_mempool "$OUT/dpdk-mp.$r" | sed "s/^/$r dpdk /" >>"$OUT/all.txt"
  ours_mempool "$OUT/ours-mp.$r" "$OUT/dpdk-mp.$r" | sed "s/^/$r ours /" >>"$OUT/all.txt"
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
grep -h '^#' "$OUT/ours-ring.1.log" "$OUT/dpdk-mp.1.log" "$OUT/ours-mp.1.log" || true

if [[ "${FULL:-0}" == 1 ]]; then
  echo "== FULL=1: the real mempool_perf_autotest (about an hour), cache=512 cores=1 constant_n=0 rows"
  echo mempool_perf_autotest | "${PIN[@]}" dpdk-test --no-huge -m 512 --no-pci -l "$CPU" >"$OUT/dpdk-mp-full.log" 2>&1 || true
  grep 'cache=512 cores=1 .*constant_n=0' "$OUT/dpdk-mp-full.log" || true
fi

echo
echo "DPDK $DPDK_VERSION vs ours (dotnet $(dotnet --version)); $ROUNDS alternating rounds, pinned to CPU $CPU; median [min..max]"
echo "load average before: $LOAD_BEFORE   after: $LOAD_AFTER"
# Rows: "<round> <side> <key words...> <value> [<per-bulk>]". Ring value = cycles/element (lower is better),
# mempool value = objects/s (higher is better). Ratio = ours/dpdk of the medians.
awk '
  function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
                                     return (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
  function lo(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 < m + 0) m = a[i]; return m }
  function hi(s,   a, n, i, m) { n = split(s, a, " "); m = a[1]; for (i = 2; i <= n; i++) if (a[i] + 0 > m + 0) m = a[i]; return m }
  {
    side = $2
    if ($3 == "RING") { key = $3 " " $4 " " $5 " " $6; v = $7 } else { key = $3 " " $4 " " $5 " " $6 " " $7 " " $8; v = $9 }
    if (!(key in order)) { order[key] = ++nk; keys[nk] = key }
    vals[side, key] = vals[side, key] " " v
  }
  END {
    printf "%-58s %22s %22s %7s\n", "operation", "ours", "dpdk", "ratio"
    for (i = 1; i <= nk; i++) {
      k = keys[i]; o = vals["ours", k]; d = vals["dpdk", k]
      if (o == "" || d == "") { printf "%-58s missing on one side\n", k; continue }
      mo = med(o); md = med(d)
      if (k ~ /^RING/) {
        ok = (mo <= md) ? "met" : "NOT met"
        printf "%-58s %7.2f [%5.2f..%5.2f] %7.2f [%5.2f..%5.2f] %7.2f  cycles/elem, <=1 target %s (best %.2f)\n", k, mo, lo(o), hi(o), md, lo(d), hi(d), mo/md, ok, lo(o)/lo(d)
      } else {
        ok = (mo >= md) ? "met" : "NOT met"
        printf "%-58s %6.1fM [%5.0f..%5.0f] %6.1fM [%5.0f..%5.0f] %7.2f  objs/s, >=1 target %s (best %.2f)\n", k, mo/1e6, lo(o)/1e6, hi(o)/1e6, md/1e6, lo(d)/1e6, hi(d)/1e6, mo/md, ok, hi(o)/hi(d)
      }
    }
  }' "$OUT/all.txt" | tee "$OUT/table.txt"

awk -v a="${LOAD_BEFORE%% *}" -v b="${LOAD_AFTER%% *}" -v m="$LOAD_MAX" 'BEGIN { exit !((a + 0 > m + 0) || (b + 0 > m + 0 + 1)) }' && {
  echo
  echo "WARNING: load average ${LOAD_BEFORE%% *} before / ${LOAD_AFTER%% *} after is above LOAD_MAX=$LOAD_MAX (after: LOAD_MAX+1, our own run adds ~1):"
  echo "         other work shared the CPUs; these figures are NOT FINAL. Re-run on a quiet machine."
}
echo
echo "raw logs and table: $OUT"

#!/usr/bin/env bash
# Side-by-side: our Ring/Mempool against DPDK 22.11 on this machine, in one run.
#   Ring:    DPDK's ring_perf_autotest ("Testing bulk enq/deq", single lcore) vs ours, TSC cycles per element.
#   Mempool: DPDK's rte_mempool_generic_get/put (cache=512, cores=1, mempool_perf_autotest's loop and sizes) vs
#            ours, objects got+put per second. By default the DPDK side is eng/bench/mempool_perf_dpdk.c (DPDK's
#            library, our 20-line driver loop) because the full 22.11.11 autotest runs ~1 h; FULL=1 runs the real
#            mempool_perf_autotest instead and takes its "cache=512 cores=1 constant_n=0" lines.
# Usage: eng/bench/ring-mempool-vs-dpdk.sh   (env: SECONDS_PER_CASE=1 FULL=0 ART=/tmp/art-bench OURS_DLL=<prebuilt Eal.Benchmarks.dll>)
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${SECONDS_PER_CASE:-1}"
ART="${ART:-/tmp/art-bench}"
OUT="$(mktemp -d)"
EAL_ARGS=(--no-huge -m 512 --no-pci -l 0-1 --log-level=lib.eal:error)

if ! command -v dpdk-test >/dev/null || ! pkg-config --exists libdpdk 2>/dev/null || ! command -v gcc >/dev/null; then
  echo "== installing DPDK 22.11 (dpdk, dpdk-dev) and gcc"
  apt-get update -qq && apt-get install -y -qq dpdk dpdk-dev gcc pkg-config >/dev/null
fi

if [[ -z "${OURS_DLL:-}" ]]; then
  echo "== building ours (Release)"
  dotnet build Tests/Benchmarks/Eal.Benchmarks.csproj -c Release --artifacts-path "$ART" -v q -nologo >"$OUT/build.log" 2>&1 \
    || { tail -20 "$OUT/build.log"; exit 1; }
  OURS_DLL="$(find "$ART/bin" -path '*release*' -name Eal.Benchmarks.dll | head -1)"
fi

echo "== DPDK ring_perf_autotest"
echo ring_perf_autotest | dpdk-test "${EAL_ARGS[@]}" >"$OUT/dpdk-ring.log" 2>&1 || true
# Only the single-lcore "Testing bulk enq/deq" section of the legacy (pointer) APIs.
awk '/^### Testing bulk enq\/deq ###/{s=1;next} /^###/{s=0} s && /^legacy APIs: (SP\/SC|MP\/MC): bulk/ {
       match($0,/(SP\/SC|MP\/MC)/); m=substr($0,RSTART,RLENGTH); match($0,/size: [0-9]+/); z=substr($0,RSTART+6,RLENGTH-6);
       print "RING", m, "bulk", z, $NF }' "$OUT/dpdk-ring.log" | sort -u -k2,4 >"$OUT/dpdk.txt"

echo "== DPDK mempool (cache=512, cores=1)"
if [[ "${FULL:-0}" == 1 ]]; then
  echo mempool_perf_autotest | dpdk-test "${EAL_ARGS[@]}" >"$OUT/dpdk-mp.log" 2>&1 || true
  grep 'cache=512 cores=1 .*constant_n=0' "$OUT/dpdk-mp.log" | sed 's/^mempool_autotest/MEMPOOL/; s/ constant_n=0//' >>"$OUT/dpdk.txt"
else
  gcc -O3 -march=native -o "$OUT/mempool_perf_dpdk" eng/bench/mempool_perf_dpdk.c $(pkg-config --cflags --libs libdpdk)
  "$OUT/mempool_perf_dpdk" "${EAL_ARGS[@]}" -- "$SECS" 2>/dev/null | tee "$OUT/dpdk-mp.log" | grep '^MEMPOOL' >>"$OUT/dpdk.txt"
fi

echo "== ours (dotnet $(dotnet --version))"
dotnet "$OURS_DLL" dpdk-compare --mempool-seconds "$SECS" | tee "$OUT/ours.log" | grep -E '^(RING|MEMPOOL)' >"$OUT/ours.txt"
grep '^#' "$OUT/ours.log" || true

echo
printf '%-62s %14s %14s %8s\n' "operation" "ours" "dpdk" "ratio"
awk '
  function key(line,   k) { k=line; sub(/ [0-9.]+$/,"",k); sub(/ rate_persec=[0-9.]+$/,"",k); return k }
  function val(line,   v) { n=split(line,a,/[ =]/); return a[n] }
  NR==FNR { d[key($0)]=val($0); next }
  { k=key($0); o=val($0); if (!(k in d)) { printf "%-62s %14s %14s %8s\n", k, o, "n/a", "-"; next }
    if ($1=="RING") printf "%-62s %14.2f %14.2f %8.2f  (cycles/elem; ratio=ours/dpdk, <=1 is at least as fast)\n", k, o, d[k], o/d[k];
    else            printf "%-62s %14.0f %14.0f %8.2f  (objs/s; ratio=ours/dpdk, >=1 is at least as fast)\n", k, o, d[k], o/d[k] }
' "$OUT/dpdk.txt" "$OUT/ours.txt"
echo
echo "raw logs: $OUT"

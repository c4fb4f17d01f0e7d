#!/usr/bin/env bash
# Forwarding throughput, ours vs DPDK 22.11's testpmd, alternated in one run.
#
# Both get the same EAL arguments (-l 0-1 --no-huge -m 1024 --no-pci and two vdevs) and the same forwarding
# settings (io, --auto-start, --total-num-mbufs=16384, --stats-period 1, one forwarding lcore). A run's figure is the
# median over its stats periods of the summed Rx-pps of both ports (the first show is 0 in both, and skipped);
# the case figure is the median over ROUNDS runs. DPDK's testpmd has no --duration: it runs under timeout -s INT.
#
#   eng/bench/fwd-vs-dpdk.sh                 # all cases, ROUNDS=3, SECONDS_PER_RUN=6
#   ROUNDS=5 SECONDS_PER_RUN=10 CASES="null32 ring32" eng/bench/fwd-vs-dpdk.sh
#
# Cases: null1 null8 null32 (net_null, --burst=1/8/32), ring32 (net_ring loopbacks primed with --tx-first).
set -euo pipefail

ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-6}
CASES=${CASES:-"null32 null8 null1 ring32"}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ART=${ART:-/tmp/art-fwd-vs-dpdk}
LOG=${LOG:-/tmp/fwd-vs-dpdk}
mkdir -p "$LOG"

if ! command -v dpdk-testpmd >/dev/null; then
    echo "installing DPDK (Debian package dpdk) ..." >&2
    apt-get update -qq && apt-get install -y -qq dpdk >/dev/null
fi
dpdk_version=$(dpkg-query -W -f '${Version}' dpdk 2>/dev/null || echo unknown)

if [[ -z "${NO_BUILD:-}" ]]; then
    echo "building testpmd (Release) ..." >&2
    dotnet build -c Release "$repo/Examples/TestPmd" --artifacts-path "$ART" -v q -nologo >&2
fi
ours_dll="$ART/bin/TestPmd/release/testpmd.dll"
[[ -f "$ours_dll" ]] || { echo "missing $ours_dll; build failed?" >&2; exit 1; }

# A private file prefix: another primary process using the default "rte" prefix (tests, another EAL) holds the lock
# on /var/run/dpdk/rte/config and DPDK's testpmd would refuse to start.
eal_common=(-l 0-1 --no-huge -m 1024 --no-pci --file-prefix "${FILE_PREFIX:-fwdbench}")
app_common=(--forward-mode=io --auto-start --total-num-mbufs=16384 --stats-period 1)

case_args() { # prints "<vdev args>|<app args>"
    case "$1" in
        null1) echo "--vdev net_null0 --vdev net_null1|--burst=1" ;;
        null8) echo "--vdev net_null0 --vdev net_null1|--burst=8" ;;
        null32) echo "--vdev net_null0 --vdev net_null1|--burst=32" ;;
        ring32) echo "--vdev net_ring0 --vdev net_ring1|--burst=32 --tx-first" ;;
        *) echo "unknown case '$1'; valid: null1 null8 null32 ring32" >&2; exit 2 ;;
    esac
}

# Median of the per-show sums of Rx-pps (all ports), skipping shows whose sum is 0 (the first one).
mpps_of() {
    awk '/^Port statistics =/ { if (n++ > 0 && sum > 0) print sum; sum = 0 }
         /Rx-pps:/ { sum += $2 }
         END { if (n > 0 && sum > 0) print sum }' "$1" | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
              m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1e6 }'
}

median() { tr ' ' '\n' | { grep -v -e '^$' -e nan || true; } | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); DPDK $dpdk_version; $(dotnet --version | sed 's/^/.NET SDK /')"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %12s %8s   %s\n' case "DPDK Mpps" "ours Mpps" ours/DPDK "per-round (DPDK | ours)"
for c in $CASES; do
    IFS='|' read -r vdevs app <<<"$(case_args "$c")"
    d_all=(); o_all=()
    for ((r = 1; r <= ROUNDS; r++)); do
        # shellcheck disable=SC2086
        timeout -s INT $((SECS + 3)) dpdk-testpmd "${eal_common[@]}" $vdevs -- "${app_common[@]}" $app \
            </dev/null >"$LOG/$c.dpdk.$r.log" 2>&1 || true
        d_all+=("$(mpps_of "$LOG/$c.dpdk.$r.log")")
        # shellcheck disable=SC2086
        timeout -s INT $((SECS + 30)) dotnet "$ours_dll" "${eal_common[@]}" $vdevs -- "${app_common[@]}" $app --duration "$SECS" \
            </dev/null >"$LOG/$c.ours.$r.log" 2>&1 || true
        o_all+=("$(mpps_of "$LOG/$c.ours.$r.log")")
    done
    d=$(echo "${d_all[*]}" | median); o=$(echo "${o_all[*]}" | median)
    ratio=$(awk -v o="$o" -v d="$d" 'BEGIN { if (d + 0 > 0 && o != "nan") printf "%.2f", o / d; else print "n/a" }')
    printf '%-8s %12s %12s %8s   %s | %s\n' "$c" "$d" "$o" "$ratio" "${d_all[*]}" "${o_all[*]}"
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); logs in $LOG"

#!/usr/bin/env bash
# The main job: EAL init with DPDK-style arguments, printed by eal-info as one JSON object.
# Runs on the emulated platform unless you pass your own arguments (then add --emulate yourself,
# or leave it out to use the real kernel: /sys, /dev, hugepages).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
    set -- --emulate -l 0-1 --vdev net_null0 --vdev net_ring0
fi
exec dotnet run --project Examples/EalInfo -c Release -- "$@"

#!/bin/sh
# Reserve 2 MiB hugepages and mount hugetlbfs so the memory tests can use real hugepages.
# Idempotent; needs root. Usage: eng/setup-hugepages.sh [pages-of-2MiB] [mount-point]
set -eu
PAGES="${1:-256}"
MNT="${2:-/dev/hugepages}"
SYS=/sys/kernel/mm/hugepages

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-hugepages: must run as root (writes /proc/sys/vm/nr_hugepages and mounts hugetlbfs)" >&2
    exit 1
fi
if [ ! -d "$SYS/hugepages-2048kB" ]; then
    echo "setup-hugepages: this kernel has no 2 MiB hugepages ($SYS/hugepages-2048kB missing)" >&2
    exit 1
fi

cur=$(cat "$SYS/hugepages-2048kB/nr_hugepages")
if [ "$cur" -lt "$PAGES" ]; then
    echo "$PAGES" > /proc/sys/vm/nr_hugepages
    got=$(cat "$SYS/hugepages-2048kB/nr_hugepages")
    echo "setup-hugepages: 2 MiB pages: $cur -> $got (asked $PAGES)"
    if [ "$got" -lt "$PAGES" ]; then
        echo "setup-hugepages: warning: the kernel could only reserve $got pages (memory fragmented or too small)" >&2
    fi
else
    echo "setup-hugepages: 2 MiB pages already reserved: $cur"
fi
for n in /sys/devices/system/node/node*/hugepages/hugepages-2048kB; do
    [ -d "$n" ] && echo "setup-hugepages:   $(echo "$n" | cut -d/ -f6): $(cat "$n/nr_hugepages") total, $(cat "$n/free_hugepages") free"
done

if [ -d "$SYS/hugepages-1048576kB" ]; then
    echo "setup-hugepages: 1 GiB pages reserved: $(cat "$SYS/hugepages-1048576kB/nr_hugepages") (not required by the tests)"
else
    echo "setup-hugepages: no 1 GiB page support on this kernel"
fi

if awk -v m="$MNT" '$2 == m && $3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
    echo "setup-hugepages: hugetlbfs already mounted at $MNT"
else
    mkdir -p "$MNT"
    mount -t hugetlbfs -o pagesize=2M nodev "$MNT"
    echo "setup-hugepages: mounted hugetlbfs (pagesize=2M) at $MNT"
fi

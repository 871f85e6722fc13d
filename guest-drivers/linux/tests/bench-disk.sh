#!/bin/sh
# pvkit guest bench (`pvkit bench disk`): on /dev/$PVKIT_DEV (pvkit.dev=vda
# for virtio-blk, sda for IDE), for each workload in pvkit.work (default:
# all eight of {seq,rand}-{read,write}-{4K,1M}), pvkit-iobench with
# O_DIRECT moves pvkit.total4k bytes (4K blocks) or pvkit.total1m bytes
# (1M blocks), timed with the guest's monotonic clock. Around each run
# bench_mark takes the host's device-counter snapshots (pvkit only), and
#   PVKIT-BENCH: workload=W bytes=N seconds=S requests=R
# gives the host the figures. Exit status 0 = every workload completed.
. /tests/bench-lib.sh

dev=/dev/${PVKIT_DEV:-vda}
total4k=${PVKIT_TOTAL4K:-4M}
total1m=${PVKIT_TOTAL1M:-32M}
work=${PVKIT_WORK:-seq-read-4K,seq-read-1M,seq-write-4K,seq-write-1M,rand-read-4K,rand-read-1M,rand-write-4K,rand-write-1M}
[ -b "$dev" ] || { echo "FAIL: no $dev"; exit 1; }
command -v pvkit-iobench > /dev/null || { echo "FAIL: no pvkit-iobench"; exit 1; }

for w in $(echo "$work" | tr ',' ' '); do
    bs=${w##*-}
    pattern=${w%-*}
    case $bs in 4K) total=$total4k ;; 1M) total=$total1m ;;
        *) echo "FAIL: bad workload $w"; exit 1 ;; esac
    sync
    echo 3 > /proc/sys/vm/drop_caches
    bench_mark "$w-begin"
    if ! out=$(pvkit-iobench "$pattern" "$bs" "$total" "$dev" 2>&1); then
        echo "FAIL: $w: $out"
        exit 1
    fi
    bench_mark "$w-end"
    bench_result "$w" "$out"
done
exit 0

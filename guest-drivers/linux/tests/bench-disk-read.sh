#!/bin/sh
# pvkit guest bench (`pvkit bench disk`): a sequential read of the first
# pvkit.mb=N MiB (default 64) of /dev/$PVKIT_DEV (pvkit.dev=vda|sda) with
# O_DIRECT and bs=1M after dropping the page cache, timed with the guest
# clock: busybox dd's own "copied, S seconds" (microseconds, monotonic),
# else /proc/uptime (10 ms). The host computes MB/s from
#   PVKIT-BENCH: bytes=N seconds=S   (or t0=UPTIME t1=UPTIME)
# Exit status 0 = the read completed.
dev=/dev/${PVKIT_DEV:-vda}
mb=${PVKIT_MB:-64}
[ -b "$dev" ] || { echo "FAIL: no $dev"; exit 1; }
sync
echo 3 > /proc/sys/vm/drop_caches
t0=$(cut -d' ' -f1 /proc/uptime)
if ! dd if="$dev" of=/dev/null bs=1M count="$mb" iflag=direct 2>/tmp/dd.log; then
    echo "FAIL: dd: $(cat /tmp/dd.log)"
    exit 1
fi
t1=$(cut -d' ' -f1 /proc/uptime)
echo "info: $(tail -n 1 /tmp/dd.log)"
s=$(sed -n 's/.* copied, \([0-9.]*\) seconds.*/\1/p' /tmp/dd.log)
if [ -n "$s" ]; then
    echo "PVKIT-BENCH: bytes=$((mb * 1048576)) seconds=$s"
else
    echo "PVKIT-BENCH: bytes=$((mb * 1048576)) t0=$t0 t1=$t1"
fi
exit 0

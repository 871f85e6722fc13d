#!/bin/sh
# Powers off while reads and writes on the "host" share are in flight
# (tests/integration/hostfs_poweroff_mid_io.sh): pvkit must stop its
# workers before it frees guest RAM and exit with the guest's status.
mkdir -p /mnt/host
mount -t virtiofs host /mnt/host || { echo "FAIL: mount"; exit 1; }
dd if=/mnt/host/big.bin of=/dev/null bs=1M 2>/dev/null &
dd if=/dev/zero of=/mnt/host/out.bin bs=1M count=64 2>/dev/null &
sleep 0.5
echo "ok:   powering off with I/O in flight"
exit 0

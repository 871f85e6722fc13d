#!/bin/sh
# Mounts the ext4 disk /dev/$PVKIT_DEV (pvkit.dev=vda|sda), checks the file
# the host put there, writes one back, and unmounts cleanly.
dev=/dev/${PVKIT_DEV:-vda}
fail=0
for i in 1 2 3 4 5 6 7 8 9 10; do [ -b "$dev" ] && break; sleep 0.2; done
[ -b "$dev" ] || { echo "FAIL: no $dev"; exit 1; }
mkdir -p /mnt/disk
mount -t ext4 "$dev" /mnt/disk || { echo "FAIL: mount $dev"; exit 1; }
want=${PVKIT_SUM:-}
got=$(sha256sum /mnt/disk/hello.bin | cut -d' ' -f1)
if [ "$got" = "$want" ]; then echo "ok:   host file reads back ($got)"; else echo "FAIL: host file sum $got, want $want"; fail=1; fi
dd if=/dev/urandom of=/mnt/disk/from-guest.bin bs=4096 count=256 2>/dev/null
sha256sum /mnt/disk/from-guest.bin | cut -d' ' -f1 > /mnt/disk/from-guest.sum
sync
umount /mnt/disk || { echo "FAIL: umount"; fail=1; }
echo "ok:   wrote from-guest.bin on $dev"
exit $fail

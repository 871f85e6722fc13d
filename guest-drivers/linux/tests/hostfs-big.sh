#!/bin/sh
# A large file both ways through virtio-fs: the guest prints the md5 of
# the host's big.bin and copies it to big-copy.bin; the host
# (tests/integration/hostfs_large_file_round_trip.sh) compares both.
mkdir -p /mnt/host
mount -t virtiofs host /mnt/host || { echo "FAIL: mount"; exit 1; }
t0=$(date +%s)
echo "guest-md5: $(md5sum /mnt/host/big.bin | cut -d' ' -f1)"
t1=$(date +%s)
cp /mnt/host/big.bin /mnt/host/big-copy.bin || { echo "FAIL: cp"; exit 1; }
sync
t2=$(date +%s)
echo "read+md5 $((t1 - t0)) s, copy $((t2 - t1)) s"
umount /mnt/host || { echo "FAIL: umount"; exit 1; }
exit 0

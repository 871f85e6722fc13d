#!/bin/bash
# The guest powers off while dd reads and writes through virtio-fs
# (guest-drivers/linux/tests/hostfs-poweroff.sh): pvkit quiesces the
# share's workers before freeing guest RAM, exits 0 and prints no error.
# Three boots, so a race has more than one chance to show.
source "$(dirname "$0")/hostfs/lib.sh"
fail=0
mkdir -p "$tmp/share"
head -c $((64 << 20)) /dev/urandom >"$tmp/share/big.bin"
for k in 1 2 3; do
	hostfs_boot hostfs-poweroff 120 --share "$tmp/share,tag=host"
	if hostfs_wait && ! grep -q '^pvkit:' "$tmp/log/console"; then
		echo "ok:   boot $k: powered off mid-I/O, exit 0, no error"
	else
		echo "FAIL: boot $k"
		grep '^pvkit:' "$tmp/log/console" | head -5
		fail=1
	fi
	rm -f "$tmp/share/out.bin"
done
exit $fail

#!/bin/bash
# A 100 MiB file through virtio-fs both ways: the guest
# (guest-drivers/linux/tests/hostfs-big.sh) prints the md5 of the host's
# random big.bin and copies it to big-copy.bin; both must match the host's.
source "$(dirname "$0")/hostfs/lib.sh"
fail=0
mkdir -p "$tmp/share"
head -c $((100 << 20)) /dev/urandom >"$tmp/share/big.bin"
want=$(md5sum "$tmp/share/big.bin" | cut -d' ' -f1)
hostfs_boot hostfs-big 600 --share "$tmp/share,tag=host"
hostfs_wait || fail=1
got=$(sed -n 's/^guest-md5: \([0-9a-f]*\).*/\1/p' "$tmp/log/console")
grep -E '^read\+md5' "$tmp/log/console"
if [ "$got" = "$want" ]; then
	echo "ok:   the guest reads 100 MiB right ($want)"
else
	echo "FAIL: the guest read md5 '$got', the host has $want"
	fail=1
fi
copy=$(md5sum "$tmp/share/big-copy.bin" 2>/dev/null | cut -d' ' -f1)
if [ "$copy" = "$want" ]; then
	echo "ok:   the guest's 100 MiB copy reads right on the host"
else
	echo "FAIL: the guest's copy has md5 '$copy', want $want"
	fail=1
fi
exit $fail

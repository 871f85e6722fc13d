#!/bin/bash
# Linux reads a disk image through virtio-blk (--disk IMG) and its
# sha256 matches the host's: the whole 24 MiB of random bytes, through
# the page cache and with O_DIRECT. The image is opened read-only (,ro),
# and its bytes must be unchanged afterwards.
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
for f in "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
img=$tmp/disk.img
head -c $((24 << 20)) /dev/urandom >"$img"
sum=$(sha256sum "$img" | cut -d' ' -f1)
echo "info: host sha256 $sum"
out=$(timeout 300 build/pvkit run --kernel "$kernel" --initrd "$initrd" \
	--append "console=ttyS0 pvkit.test=virtio-blk-read pvkit.sha256=$sum" \
	--disk "$img,format=raw,if=virtio,ro" </dev/null 2>"$tmp/err")
rc=$?
grep -E '^(ok|info|FAIL):' <<<"$out"
if [ $rc -ne 0 ] || ! grep -q '^PVKIT-TEST-RESULT: virtio-blk-read 0' <<<"$out"; then
	echo "FAIL: guest test failed (pvkit exit $rc)"
	tail -5 <<<"$out"
	cat "$tmp/err"
	exit 1
fi
[ "$(sha256sum "$img" | cut -d' ' -f1)" = "$sum" ] || { echo "FAIL: image changed"; exit 1; }
echo "ok: guest read the image with the host's checksum; image unchanged"

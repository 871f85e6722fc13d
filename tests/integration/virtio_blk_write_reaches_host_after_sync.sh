#!/bin/bash
# Linux writes 1 MiB through virtio-blk with an fsync (a FLUSH) and
# `sync`; the host finds exactly those bytes in the image at 1 MiB, the
# rest untouched. Twice: once letting the guest finish and power off, once
# killing pvkit with SIGKILL as soon as the guest says the flush returned
# (a flushed write must survive the emulator's death).
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
for f in "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 0; i < 32768; i++) printf "pvkit-blk-write-test-%010d\n", i }' >"$tmp/pattern"
want=$(sha256sum <"$tmp/pattern" | cut -d' ' -f1)
fail=0

check_image() { # LABEL
	local img=$tmp/disk.img
	local got head tail
	got=$(dd if="$img" bs=1M skip=1 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
	head=$(dd if="$img" bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
	tail=$(dd if="$img" bs=1M skip=2 2>/dev/null | sha256sum | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		echo "FAIL: $1: the host sees $got at 1 MiB, the guest wrote $want"
		fail=1
	elif [ "$head" != "$head0" ] || [ "$tail" != "$tail0" ]; then
		echo "FAIL: $1: bytes outside the written MiB changed"
		fail=1
	else
		echo "ok: $1: host sees the guest's 1 MiB, nothing else changed"
	fi
}

fresh_image() {
	head -c $((4 << 20)) /dev/urandom >"$tmp/disk.img"
	head0=$(dd if="$tmp/disk.img" bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
	tail0=$(dd if="$tmp/disk.img" bs=1M skip=2 2>/dev/null | sha256sum | cut -d' ' -f1)
}

# 1. a clean run
fresh_image
out=$(timeout 300 build/pvkit run --kernel "$kernel" --initrd "$initrd" \
	--append "console=ttyS0 pvkit.test=virtio-blk-write" \
	--disk "$tmp/disk.img" </dev/null 2>"$tmp/err")
rc=$?
grep -E '^(ok|FAIL):' <<<"$out"
if [ $rc -ne 0 ] || ! grep -q '^PVKIT-TEST-RESULT: virtio-blk-write 0' <<<"$out"; then
	echo "FAIL: guest test failed (pvkit exit $rc)"; tail -5 <<<"$out"; cat "$tmp/err"
	fail=1
fi
check_image "after poweroff"

# 2. SIGKILL right after the flush
fresh_image
build/pvkit run --kernel "$kernel" --initrd "$initrd" \
	--append "console=ttyS0 pvkit.test=virtio-blk-write" \
	--disk "$tmp/disk.img" </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 3000); do
	grep -q BLK-WRITE-FLUSHED "$tmp/out" 2>/dev/null && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if grep -q BLK-WRITE-FLUSHED "$tmp/out"; then
	kill -9 $pid
	wait $pid 2>/dev/null
	pid=
	check_image "after SIGKILL"
else
	echo "FAIL: the guest never reported its flush"; tail -5 "$tmp/out"
	fail=1
fi
exit $fail

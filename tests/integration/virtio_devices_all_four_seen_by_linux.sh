#!/bin/bash
# With `--disk IMG --rng --balloon --agent SOCK`, Linux lists blk,
# console, rng and balloon under /sys/bus/virtio/devices, each bound to
# its driver, and uses them (guest test virtio-devices): vda has the
# image's size and reads, /dev/hwrng comes from virtio-rng, the agent port
# has its name, and the hvc port of the console reaches pvkit's stdout.
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
for f in "$kernel" "$initrd"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c $((8 << 20)) /dev/zero >"$tmp/disk.img"
out=$(timeout 300 build/pvkit run --kernel "$kernel" --initrd "$initrd" \
	--append "console=ttyS0 pvkit.test=virtio-devices pvkit.disksize=$((8 << 20))" \
	--disk "$tmp/disk.img" --rng --balloon --agent "$tmp/agent.sock" \
	</dev/null 2>"$tmp/err")
rc=$?
grep -E '^(ok|info|FAIL):' <<<"$out"
fail=0
if [ $rc -ne 0 ] || ! grep -q '^PVKIT-TEST-RESULT: virtio-devices 0' <<<"$out"; then
	echo "FAIL: guest test failed (pvkit exit $rc)"; tail -5 <<<"$out"; cat "$tmp/err"
	fail=1
fi
if grep -q '^PVKIT-HVC-HELLO' <<<"$out"; then
	echo "ok: hvc1 output reached pvkit's stdout"
else
	echo "FAIL: nothing the guest wrote to hvc1 reached stdout"; fail=1
fi
if [ -s "$tmp/err" ]; then
	echo "FAIL: pvkit wrote to stderr:"; cat "$tmp/err"; fail=1
fi
[ -e "$tmp/agent.sock" ] && { echo "FAIL: agent socket left behind"; fail=1; }
exit $fail

#!/bin/bash
# --icount makes a run deterministic: time follows retired instructions,
# the RTC starts at a fixed epoch, the device tree's rng-seed and the
# virtio-rng stream are fixed, so two boots of the same guest print the
# same bytes, timestamps and random numbers included.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in 1 2; do
	timeout 120 build/pvkit run --icount --kernel build/guest/Image \
		--initrd build/guest/initramfs.cpio.gz \
		--rng --append "console=ttyS0 pvkit.test=hwrng-sum" \
		</dev/null >"$tmp/run$run.out" 2>/dev/null ||
		{ echo "FAIL: run $run exited $?"; exit 1; }
done
if ! cmp -s "$tmp/run1.out" "$tmp/run2.out"; then
	echo "FAIL: the two runs differ:"
	diff "$tmp/run1.out" "$tmp/run2.out" | head -20
	exit 1
fi
lines=$(wc -l <"$tmp/run1.out")
grep -q 'PVKIT-TEST-RESULT: hwrng-sum 0' "$tmp/run1.out" ||
	{ echo "FAIL: the guest did not reach its test"; tail -5 "$tmp/run1.out"; exit 1; }
echo "ok: two --icount boots printed the same $lines lines"

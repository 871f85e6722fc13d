#!/bin/bash
# The out-of-tree module pvkit_ptp.ko makes pvkit's paravirtual clock (SBI
# HOST_TIME) a PTP hardware clock, /dev/ptp0, for phc2sys or chrony: the
# guest test reads it with clock_gettime(FD_TO_CLOCKID(fd)) between two
# reads of host time through the magic instruction, which it must match.
set -u
cd "$(dirname "$0")/../.."
for f in build/guest/Image build/guest/initramfs.cpio.gz; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest)"; exit 1; }
done
out=$(timeout 300 build/pvkit run --kernel build/guest/Image \
	--initrd build/guest/initramfs.cpio.gz \
	--append "console=ttyS0 pvkit.test=ptp-clock" </dev/null 2>&1)
rc=$?
if [ $rc -ne 0 ] || ! grep -q '^PVKIT-TEST-RESULT: ptp-clock 0' <<<"$out"; then
	echo "FAIL: exit $rc"
	grep -E 'FAIL|ptp|PVKIT-TEST|panic|Oops' <<<"$out" | head -20
	exit 1
fi
grep -E '^(info:|ptp )' <<<"$out"
echo "ok: /dev/ptp0 reads the host's clock"

#!/bin/bash
# The guest Linux boots on pvkit without firmware (pvkit's own SBI) and
# with Debian's OpenSBI, runs a check of /proc/cpuinfo, the RTC against
# host time and userspace floating point, and powers off: pvkit exits 0.
set -u
cd "$(dirname "$0")/../.."
kernel=build/guest/Image
initrd=build/guest/initramfs.cpio.gz
opensbi=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
for f in "$kernel" "$initrd" "$opensbi"; do
	[ -e "$f" ] || { echo "FAIL: $f missing (make guest; scripts/deps.sh)"; exit 1; }
done

fail=0
boot() { # boot LABEL [pvkit options...]
	local label=$1
	shift
	local out rc
	out=$(timeout 300 build/pvkit run --kernel "$kernel" --initrd "$initrd" \
		--append "console=ttyS0 pvkit.test=cpuinfo-rtc-fp pvkit.hosttime=$(date +%s)" \
		"$@" </dev/null 2>/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] ||
		! grep -q '^PVKIT-TEST-RESULT: cpuinfo-rtc-fp 0' <<<"$out"; then
		echo "FAIL: $label: exit $rc"
		grep -E 'FAIL|PVKIT-TEST|panic|Oops' <<<"$out" | head -20
		tail -5 <<<"$out"
		fail=1
	else
		echo "ok: $label"
		grep -E '^(ok|info):' <<<"$out"
	fi
}
boot "no firmware (pvkit SBI)"
boot "OpenSBI fw_dynamic" --bios "$opensbi"
exit $fail

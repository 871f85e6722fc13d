#!/bin/bash
# A bare-metal program's exit code becomes pvkit's exit status, through
# the SiFive test finisher and through HTIF tohost, and only the guest's
# output appears on stdout.
set -u
cd "$(dirname "$0")/../.."
fail=0
out=$(build/pvkit run --kernel build/guest-tests/isa/console_printf.elf 2>/dev/null)
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: hello exit $rc"; fail=1; }
grep -q '^PASS' <<<"$out" || { echo "FAIL: hello printed: $out"; fail=1; }
for elf in build/guest-tests/htif/*.elf; do
	[ -e "$elf" ] || continue
	build/pvkit run --kernel "$elf" >/dev/null 2>&1
	rc=$?
	q=$(timeout 20 qemu-system-riscv64 -machine spike -bios none -nographic \
		-m 128M -kernel "$elf" >/dev/null 2>&1; echo $?)
	[ "$rc" -eq "$q" ] || { echo "FAIL: $elf exit $rc, qemu $q"; fail=1; }
	echo "ok: $elf exit $rc (qemu $q)"
done
exit $fail
